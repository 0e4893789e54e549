//! The shipped Barkhor pest file: every pest of DOMAIN.md section 3 with the figures it gives,
//! the defaults, products marked as estimates, and the built-in copy equal to the file.

use greenward::ipm::{self, MonthDay, PestModel};
use greenward::science::DegreeDayMethod;

fn file() -> ipm::PestList {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schedules/barkhor/pests.toml");
    ipm::load_pests(&path).expect("the shipped pests.toml is valid")
}

#[test]
fn the_built_in_copy_is_the_file() {
    assert_eq!(file().pests, ipm::embedded_barkhor_pests().pests);
}

#[test]
fn every_pest_has_the_domain_figures() {
    let list = file();
    assert_eq!(
        list.ids(),
        [
            "willow_sawfly",
            "asian_longhorned_beetle",
            "scale_crawlers",
            "conifer_spider_mite",
            "aphids",
            "elm_leaf_beetle"
        ]
    );
    // (id, hosts, base °C, window DD)
    let dd = [
        (
            "asian_longhorned_beetle",
            vec!["Populus", "Salix", "Ulmus"],
            10.0,
            (350.0, 550.0),
        ),
        (
            "scale_crawlers",
            vec!["Populus", "Salix", "Ulmus"],
            10.0,
            (153.0, 278.0),
        ),
        (
            "conifer_spider_mite",
            vec!["Juniperus", "Sabina", "Platycladus", "Cupressus"],
            5.3,
            (271.0, 417.0),
        ),
        (
            "aphids",
            vec!["Styphnolobium", "Sophora", "Robinia"],
            6.0,
            (220.0, 440.0),
        ),
        ("elm_leaf_beetle", vec!["Ulmus"], 10.0, (222.0, 278.0)),
    ];
    for (id, hosts, base, (start, end)) in dd {
        let p = list.get(id).unwrap();
        assert_eq!(p.hosts, hosts, "{id}");
        let PestModel::DegreeDays(w) = p.model else {
            panic!("{id}: a degree-day model")
        };
        assert_eq!(w.model.lower_c, base, "{id}");
        assert_eq!(w.model.upper_c, Some(30.0), "{id}");
        assert_eq!(w.model.method, DegreeDayMethod::SingleSine, "{id}");
        assert_eq!(w.biofix, MonthDay { month: 1, day: 1 }, "{id}");
        assert_eq!((w.start_dd, w.end_dd), (start, end), "{id}");
        assert_eq!(w.scouting_lead_dd, 30.0, "{id}");
    }
    let sawfly = list.get("willow_sawfly").unwrap();
    assert_eq!(sawfly.names.latin, "Nematus hequensis");
    assert_eq!(sawfly.names.zh.as_deref(), Some("河曲丝叶蜂"));
    assert_eq!(sawfly.hosts, ["Salix"]);
    let PestModel::Calendar(c) = sawfly.model else {
        panic!("the sawfly has a calendar window")
    };
    assert_eq!(
        (
            c.opens.to_string(),
            c.closes.to_string(),
            c.scouting_lead_days
        ),
        ("08-20".into(), "09-05".into(), 7)
    );

    for p in &list.pests {
        assert_eq!(p.action_threshold, 2, "{}", p.id);
        assert_eq!(p.spray_hours.to_string(), "00:00-05:00", "{}", p.id);
        assert_eq!(p.respray_rain_mm, 5.0, "{}", p.id);
        assert!(!p.products.is_empty(), "{} has a product", p.id);
        for product in &p.products {
            assert!(
                product.estimate,
                "{}: {} is an estimate until the office checks it",
                p.id, product.name
            );
            assert!(product.spray_mix_l_per_tree.is_some_and(|l| l > 0.0));
            assert!(product.reentry_h.is_some_and(|h| h >= 12.0));
        }
    }
}
