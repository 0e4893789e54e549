//! Rule files: the Barkhor defaults, every refusal with its line, seasons, windows, blackouts
//! and interval triggers.

use chrono::{DateTime, NaiveDate, SecondsFormat, TimeDelta, TimeZone};
use chrono_tz::Tz;
use greenward::model::kinds::{AssetKind, Condition, SiteState};
use greenward::schedule::{
    Per, ReplantingSet, RuleError, RuleSet, TaskType, Trigger, apply_blackouts, parse_rules,
};

const SHANGHAI: Tz = chrono_tz::Asia::Shanghai;

const BARKHOR_ZONES: &[&str] = &[
    "potala-square",
    "jokhang-square",
    "great-mosque-square",
    "small-mosque-square",
    "barkhor-street",
    "beijing-middle-road",
    "duosenge-road",
    "linkuo-road",
    "yutuo-road",
    "longwangtan-park",
    "unity-park",
    "pocket-park-1",
    "pocket-park-2",
    "pocket-park-3",
    "unzoned",
];

fn zones() -> Vec<String> {
    BARKHOR_ZONES.iter().map(|z| z.to_string()).collect()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn at(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Tz> {
    SHANGHAI.with_ymd_and_hms(y, m, day, h, min, 0).unwrap()
}

fn rfc(ts: &[DateTime<Tz>]) -> Vec<String> {
    ts.iter()
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, false))
        .collect()
}

fn parse(text: &str) -> Result<RuleSet, RuleError> {
    let z = zones();
    parse_rules("test.toml", text, Some(&z))
}

/// Parses `text`, expects a refusal on `line` whose message contains each of `parts`.
fn check_err(text: &str, line: usize, parts: &[&str]) -> RuleError {
    let e = parse(text).expect_err("the file should be refused");
    let msg = e.to_string();
    assert_eq!(e.line(), line, "{msg}");
    assert!(
        msg.starts_with(&format!("test.toml: line {line}: ")),
        "{msg}"
    );
    for p in parts {
        assert!(msg.contains(p), "missing {p:?} in: {msg}");
    }
    e
}

const GOOD: &str = r#"
[[rule]]
id = "box-watering"
task = "watering"
select = { kind = "flower_box_group" }
cron = "0 7 * * *"
minutes_per_asset = 2
"#;

// --- The Barkhor defaults ---------------------------------------------------------------------

#[test]
fn barkhor_rules_parse_with_the_site_zones() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schedules/barkhor/rules.toml");
    let text = std::fs::read_to_string(path).unwrap();
    let z = zones();
    let set = parse_rules("schedules/barkhor/rules.toml", &text, Some(&z))
        .unwrap_or_else(|e| panic!("{e}"));
    // 12 calendar and interval rules, 1 water-need check, 6 pest windows, 4 replanting sets.
    assert_eq!(set.rules.len(), 23);
    assert_eq!(set.custom_task_types, ["deadheading"]);
    assert!(set.rules.iter().all(|r| r.estimate));

    let boxes = set.get("box-water-need").unwrap();
    assert_eq!(boxes.task, TaskType::Watering);
    assert_eq!(boxes.select.kinds, [AssetKind::FlowerBoxGroup]);
    assert_eq!(boxes.per, Per::Box);
    assert_eq!(boxes.minutes_per_asset, 2.0);
    assert_eq!(boxes.grace, TimeDelta::days(1));
    assert_eq!(boxes.season.unwrap().to_string(), "04-15..10-31");
    // The water-need trigger keeps its cron as the check time, and DOMAIN.md's box bucket.
    let Trigger::WaterNeed { expr, bucket, .. } = &boxes.trigger else {
        panic!("box-water-need is a water-need rule: {:?}", boxes.trigger)
    };
    assert_eq!(expr, "0 7 * * *");
    assert!((bucket.kl - 0.96).abs() < 1e-9 && (bucket.raw_mm() - 25.0).abs() < 1e-9);
    // The daily check runs only in the season.
    assert_eq!(
        rfc(&boxes.cron_occurrences(&at(2026, 4, 13, 0, 0), &at(2026, 4, 17, 0, 0))),
        ["2026-04-15T07:00:00+08:00", "2026-04-16T07:00:00+08:00"]
    );

    let scouting = set.get("scout-willow-sawfly").unwrap();
    assert_eq!(scouting.task, TaskType::PestScouting);
    assert_eq!(scouting.window.unwrap().to_string(), "00:00-05:00");
    assert_eq!(scouting.grace, TimeDelta::days(3));
    assert!(matches!(&scouting.trigger, Trigger::PestWindow { pest } if pest == "willow_sawfly"));

    let autumn = set.get("replant-autumn").unwrap();
    assert!(matches!(
        autumn.trigger,
        Trigger::Replanting {
            set: ReplantingSet::Autumn,
            ..
        }
    ));

    let heritage = set.get("heritage-tree-check").unwrap();
    assert_eq!(heritage.select.heritage, Some(true));
    assert_eq!(heritage.priority, 1);
    assert!(matches!(
        heritage.trigger,
        Trigger::Interval { every, start: None } if every == TimeDelta::weeks(26)
    ));

    let dead = set.get("dead-tree-removal").unwrap();
    assert_eq!(dead.task, TaskType::Removal);
    assert_eq!(dead.select.condition, [Condition::Dead]);
    assert_eq!(dead.select.site_state, [SiteState::Occupied]);

    let deadheading = set.get("box-deadheading").unwrap();
    assert_eq!(deadheading.task, TaskType::Custom("deadheading".into()));
    assert_eq!(deadheading.grace, TimeDelta::days(3));

    let spring = set.get("tree-watering-spring").unwrap();
    assert_eq!(spring.select.zones.len(), 5);
    assert_eq!(spring.per, Per::Tree);
    assert_eq!(
        spring.next_interval_due(None, d(2026, 1, 10)),
        Some(d(2026, 3, 1))
    );
    assert_eq!(
        spring.next_interval_due(Some(d(2026, 3, 30)), d(2026, 3, 31)),
        Some(d(2026, 4, 6))
    );

    let parks = set.get("pocket-park-sanitation").unwrap();
    assert_eq!(parks.task, TaskType::Sanitation);
    assert_eq!(parks.grace, TimeDelta::days(1));
}

// --- Fields ----------------------------------------------------------------------------------

#[test]
fn a_full_rule_reads_every_field() {
    let set = parse(
        r#"
custom_task_types = ["mulching"]

[[rule]]
id = "night-scout"
task = "pest_scouting"
cron = "30 1 * * *"
season = "11-01..03-31"
window = "22:00-05:00"
blackouts = false
minutes_per_asset = 1.5
per = "tree"
skill = "pest_control"
priority = 1
grace = "12h"
estimate = true
note = "night only"

[rule.select]
kind = ["tree", "tree_row"]
species = ["Salix babylonica"]
genus = ["Salix", "Populus"]
zone = ["barkhor-street"]
tags = { "leaf_cycle" = "deciduous" }
condition = ["poor", "critical"]
site_state = "occupied"
heritage = false

[[rule]]
id = "mulch"
task = "mulching"
select = { kind = "green_area" }
every = "2w"
start = 2026-04-01
minutes_per_asset = 10
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let r = &set.rules[0];
    assert_eq!(r.line, 5);
    assert!(!r.blackouts && r.estimate);
    assert_eq!(r.grace, TimeDelta::hours(12));
    assert_eq!(r.skill.as_deref(), Some("pest_control"));
    assert_eq!(r.note.as_deref(), Some("night only"));
    assert_eq!(r.select.kinds, [AssetKind::Tree, AssetKind::TreeRow]);
    assert_eq!(r.select.species, ["Salix babylonica"]);
    assert_eq!(r.select.genus, ["Salix", "Populus"]);
    assert_eq!(r.select.tags["leaf_cycle"], "deciduous");
    assert_eq!(r.select.condition, [Condition::Poor, Condition::Critical]);
    assert_eq!(r.select.heritage, Some(false));
    // The season wraps the year end: 31 March in, 1 April out, 1 November in again.
    assert_eq!(
        rfc(&r.cron_occurrences(&at(2026, 3, 31, 0, 0), &at(2026, 4, 2, 0, 0))),
        ["2026-03-31T01:30:00+08:00"]
    );
    assert_eq!(
        rfc(&r.cron_occurrences(&at(2026, 10, 31, 0, 0), &at(2026, 11, 2, 0, 0))),
        ["2026-11-01T01:30:00+08:00"]
    );

    let m = &set.rules[1];
    assert_eq!(m.task, TaskType::Custom("mulching".into()));
    assert_eq!(m.per, Per::Asset);
    assert_eq!(m.priority, 3);
    assert!(m.blackouts);
    assert_eq!(m.grace, TimeDelta::days(3));
    assert_eq!(
        m.next_interval_due(None, d(2026, 1, 1)),
        Some(d(2026, 4, 1))
    );
    assert_eq!(
        m.next_interval_due(Some(d(2026, 4, 3)), d(2026, 4, 5)),
        Some(d(2026, 4, 17))
    );
    assert!(
        m.cron_occurrences(&at(2026, 1, 1, 0, 0), &at(2027, 1, 1, 0, 0))
            .is_empty()
    );
}

#[test]
fn default_grace_by_task_type() {
    let cases = [
        ("watering", 1),
        ("pest_treatment", 1),
        ("pest_scouting", 3),
        ("inspection", 7),
        ("pruning", 30),
        ("replanting", 7),
        ("cleaning", 2),
        ("winter_irrigation", 7),
        ("whitewashing", 14),
        ("removal", 7),
        ("sanitation", 1),
    ];
    for (task, days) in cases {
        let set = parse(&GOOD.replace("\"watering\"", &format!("{task:?}"))).unwrap();
        assert_eq!(set.rules[0].task.as_str(), task);
        assert_eq!(set.rules[0].grace, TimeDelta::days(days), "{task}");
    }
}

#[test]
fn zones_are_not_checked_without_a_zone_list() {
    let text = GOOD.replace(
        "kind = \"flower_box_group\"",
        "kind = \"flower_box_group\", zone = [\"mars-square\"]",
    );
    assert!(parse_rules("test.toml", &text, None).is_ok());
}

// --- Refusals --------------------------------------------------------------------------------

#[test]
fn invalid_cron_names_line_field_and_croner_reason() {
    let e = check_err(
        &GOOD.replace("0 7 * * *", "0 7 * * * *"),
        6,
        &[
            "rule 'box-watering': cron = \"0 7 * * * *\": expected 5 fields",
            "seconds are not supported",
        ],
    );
    assert!(matches!(e, RuleError::InvalidCron { ref value, .. } if value == "0 7 * * * *"));
    check_err(
        &GOOD.replace("0 7 * * *", "0 7 30 2 *"),
        6,
        &["cron = \"0 7 30 2 *\": it can never fire"],
    );
    check_err(
        &GOOD.replace("0 7 * * *", "0 27 * * *"),
        6,
        &["hour field '27'"],
    );
}

#[test]
fn unknown_task_type_suggests_declaring_it() {
    let e = check_err(
        &GOOD.replace("\"watering\"", "\"mowing\""),
        4,
        &[
            "task = \"mowing\" is not a known task type",
            "watering, pest_scouting",
            "custom_task_types = [\"mowing\"]",
        ],
    );
    assert!(matches!(e, RuleError::UnknownTaskType { .. }));
    let declared = format!(
        "custom_task_types = [\"mowing\"]\n{}",
        GOOD.replace("\"watering\"", "\"mowing\"")
    );
    assert!(parse(&declared).is_ok());
}

#[test]
fn unreadable_season_and_window() {
    check_err(
        &format!("{GOOD}season = \"spring\"\n"),
        8,
        &["season = \"spring\"", "MM-DD..MM-DD"],
    );
    check_err(
        &format!("{GOOD}season = \"02-30..03-31\"\n"),
        8,
        &["season = \"02-30..03-31\"", "no such day"],
    );
    check_err(
        &format!("{GOOD}window = \"night\"\n"),
        8,
        &["window = \"night\"", "HH:MM-HH:MM"],
    );
}

#[test]
fn cron_times_must_lie_in_the_window() {
    let e = check_err(
        &format!("{GOOD}window = \"00:00-05:00\"\n"),
        8,
        &[
            "rule 'box-watering': cron = \"0 7 * * *\" fires at 07:00, outside window = \"00:00-05:00\"",
            "move the cron hour into the window",
        ],
    );
    assert!(matches!(e, RuleError::OutsideWindow { .. }));
    // Every time counts: 04:30 is inside, 05:30 is not.
    check_err(
        &format!(
            "{}window = \"00:00-05:00\"\n",
            GOOD.replace("0 7 * * *", "30 4,5 * * *")
        ),
        8,
        &["fires at 05:30"],
    );
    assert!(
        parse(&format!(
            "{}window = \"00:00-05:00\"\n",
            GOOD.replace("0 7 * * *", "*/15 0-4 * * *")
        ))
        .is_ok()
    );
}

#[test]
fn unknown_zone_lists_the_known_ones() {
    let e = check_err(
        &GOOD.replace(
            "kind = \"flower_box_group\"",
            "kind = \"flower_box_group\", zone = [\"jokhang-square\", \"mars-square\"]",
        ),
        5,
        &[
            "select.zone names zone \"mars-square\"",
            "known zones: potala-square, jokhang-square",
        ],
    );
    assert!(matches!(e, RuleError::UnknownZone { ref value, .. } if value == "mars-square"));
}

#[test]
fn unknown_kind_condition_and_site_state() {
    check_err(
        &GOOD.replace("\"flower_box_group\"", "[\"tree\", \"shrubbery\"]"),
        5,
        &[
            "select.kind = \"shrubbery\": unknown asset kind",
            "flower_box_group, tree",
        ],
    );
    check_err(
        &GOOD.replace(
            "kind = \"flower_box_group\"",
            "kind = \"tree\", condition = [\"sickly\"]",
        ),
        5,
        &["select.condition = \"sickly\"", "excellent, very_good"],
    );
    check_err(
        &GOOD.replace(
            "kind = \"flower_box_group\"",
            "kind = \"tree\", site_state = [\"dead\"]",
        ),
        5,
        &["select.site_state = \"dead\"", "condition \"dead\""],
    );
    check_err(
        &GOOD.replace("kind = \"flower_box_group\"", "species = [\"Salix\"]"),
        5,
        &["`select.kind` is missing"],
    );
}

#[test]
fn exactly_one_trigger() {
    let e = check_err(
        &format!("{GOOD}every = \"7d\"\n"),
        8,
        &["it has two triggers", "give exactly one of cron"],
    );
    assert!(matches!(e, RuleError::Trigger { .. }));
    check_err(
        &GOOD.replace("cron = \"0 7 * * *\"\n", ""),
        3,
        &["rule 'box-watering': it has no trigger"],
    );
    check_err(
        &GOOD.replace("cron = \"0 7 * * *\"", "every = \"12h\""),
        6,
        &["every = \"12h\"", "Nd, Nw"],
    );
    check_err(
        &format!("{GOOD}start = \"2026-05-01\"\n"),
        8,
        &["start only goes with every"],
    );
}

#[test]
fn duplicate_ids() {
    let e = check_err(
        &format!("{GOOD}{GOOD}"),
        10,
        &["id = \"box-watering\" is already used on line 3"],
    );
    assert!(matches!(e, RuleError::DuplicateId { first_line: 3, .. }));
}

#[test]
fn other_bad_values() {
    check_err(
        &format!("{GOOD}priority = 9\n"),
        8,
        &["priority = 9: use 1 (highest) to 5 (lowest)"],
    );
    check_err(
        &format!("{GOOD}grace = \"soon\"\n"),
        8,
        &["grace = \"soon\""],
    );
    check_err(
        &GOOD.replace("minutes_per_asset = 2", "minutes_per_asset = -1"),
        7,
        &["minutes_per_asset = -1"],
    );
    check_err(
        &format!("{GOOD}per = \"tree\"\n"),
        8,
        &["per = \"tree\" needs select.kind to be tree and/or tree_row"],
    );
    check_err(
        &GOOD.replace("minutes_per_asset = 2\n", ""),
        3,
        &["`minutes_per_asset` is missing"],
    );
}

#[test]
fn toml_errors_carry_the_line() {
    check_err(
        &format!("{GOOD}colour = \"green\"\n"),
        8,
        &["unknown field `colour`"],
    );
    check_err(
        &GOOD.replace("minutes_per_asset = 2", "minutes_per_asset = "),
        7,
        &[],
    );
    check_err(
        &GOOD.replace("minutes_per_asset = 2", "minutes_per_asset = \"two\""),
        7,
        &["invalid type", "(in `minutes_per_asset = \"two\"`)"],
    );
    check_err(
        &format!("{GOOD}{}", GOOD.replace("id = \"box-watering\"\n", "")),
        9,
        &["rule '#2': `id` is missing"],
    );
    check_err("# nothing here\n", 1, &["no rules"]);
}

// --- Blackouts -------------------------------------------------------------------------------

#[test]
fn blackouts_move_to_the_first_allowed_day_at_the_same_time() {
    let due = at(2026, 8, 20, 7, 0);
    // Outside every blackout: unchanged.
    assert_eq!(
        apply_blackouts(due, &[(d(2026, 8, 21), d(2026, 8, 25))]),
        due
    );
    // Inside: the day after the blackout ends.
    assert_eq!(
        apply_blackouts(due, &[(d(2026, 8, 19), d(2026, 8, 20))]).to_rfc3339(),
        "2026-08-21T07:00:00+08:00"
    );
    // Chained and overlapping ranges, in any order: past all of them.
    let chained = [
        (d(2026, 8, 23), d(2026, 8, 24)),
        (d(2026, 8, 18), d(2026, 8, 21)),
        (d(2026, 8, 20), d(2026, 8, 22)),
    ];
    assert_eq!(
        apply_blackouts(due, &chained).to_rfc3339(),
        "2026-08-25T07:00:00+08:00"
    );
    // An empty range (end before start) blocks nothing.
    assert_eq!(
        apply_blackouts(due, &[(d(2026, 8, 21), d(2026, 8, 19))]),
        due
    );
}

#[test]
fn a_blackout_move_onto_a_dst_gap_takes_the_first_valid_time() {
    let ny: Tz = chrono_tz::America::New_York;
    let due = ny.with_ymd_and_hms(2024, 3, 9, 2, 30, 0).unwrap();
    assert_eq!(
        apply_blackouts(due, &[(d(2024, 3, 9), d(2024, 3, 9))]).to_rfc3339(),
        "2024-03-10T03:00:00-04:00"
    );
}

#[test]
fn due_times_apply_blackouts_when_the_rule_allows() {
    let set = parse(GOOD).unwrap();
    let r = &set.rules[0];
    let shoton = [(d(2026, 8, 19), d(2026, 8, 20))];
    assert_eq!(
        rfc(&r.due_times(&at(2026, 8, 18, 0, 0), &at(2026, 8, 22, 0, 0), &shoton)),
        ["2026-08-18T07:00:00+08:00", "2026-08-21T07:00:00+08:00"]
    );
    let set = parse(&format!("{GOOD}blackouts = false\n")).unwrap();
    assert_eq!(
        set.rules[0]
            .due_times(&at(2026, 8, 18, 0, 0), &at(2026, 8, 22, 0, 0), &shoton)
            .len(),
        4
    );
}
