fn main() {
    std::process::exit(greenward::cli::main())
}
