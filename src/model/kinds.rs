//! Enumerations of the model with their stable text forms (used in SQLite, GeoJSON and the CLI).

use std::fmt;
use std::str::FromStr;

/// Generates `as_str`, `ALL`, `Display` and `FromStr` (case-insensitive, `-` and ` ` read as `_`).
macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal $(| $alias:literal)*),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            /// The accepted spellings, for error messages.
            pub fn choices() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                // The stored spelling first, without allocating: a million rows are read so.
                if let Some(v) = Self::ALL.iter().find(|v| v.as_str() == s) {
                    return Ok(*v);
                }
                let norm = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
                match norm.as_str() {
                    $($text $(| $alias)* => Ok($name::$variant),)+
                    _ => Err(format!("'{s}' is not one of: {}", Self::choices())),
                }
            }
        }
    };
}

text_enum! {
    /// What an asset is. Zones are kept apart (table `zones`), not as assets.
    AssetKind {
        FlowerBoxGroup = "flower_box_group" | "flower_box" | "box_group" | "box",
        Tree = "tree",
        TreeRow = "tree_row",
        GreenArea = "green_area" | "lawn" | "bed",
        Park = "park",
        WaterFeature = "water_feature" | "water",
    }
}

impl AssetKind {
    /// Whether the asset is a planting site holding an occupant (a tree, a box planting).
    pub fn is_site(self) -> bool {
        matches!(self, AssetKind::Tree | AssetKind::FlowerBoxGroup)
    }
    /// Short prefix for generated references (`TR-000123`).
    pub fn ref_prefix(self) -> &'static str {
        match self {
            AssetKind::FlowerBoxGroup => "FB",
            AssetKind::Tree => "TR",
            AssetKind::TreeRow => "RW",
            AssetKind::GreenArea => "GA",
            AssetKind::Park => "PK",
            AssetKind::WaterFeature => "WF",
        }
    }
}

text_enum! {
    /// State of a planting site. A dead tree is `occupied` with condition `dead`.
    SiteState {
        Occupied = "occupied" | "alive" | "dead",
        Stump = "stump",
        Vacant = "vacant" | "planting_site",
        Removed = "removed",
    }
}

text_enum! {
    /// Tree condition on the 7-class scale; the 4-class Good/Fair/Poor/Dead maps onto it.
    Condition {
        Excellent = "excellent",
        VeryGood = "very_good",
        Good = "good",
        Fair = "fair",
        Poor = "poor",
        Critical = "critical",
        Dead = "dead",
    }
}

impl Condition {
    /// The 7-class score (Excellent 100 … Dead 0).
    pub fn score(self) -> u8 {
        match self {
            Condition::Excellent => 100,
            Condition::VeryGood => 90,
            Condition::Good => 80,
            Condition::Fair => 60,
            Condition::Poor => 40,
            Condition::Critical => 20,
            Condition::Dead => 0,
        }
    }
}

text_enum! {
    ParkSubtype {
        Park = "park",
        PocketPark = "pocket_park",
        Square = "square",
        Rockery = "rockery",
    }
}

text_enum! {
    WaterKind {
        Lake = "lake",
        Pond = "pond" | "reservoir" | "basin",
        Stream = "stream" | "river",
        Fountain = "fountain",
        Canal = "canal" | "ditch" | "drain",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_round_trip_and_accept_aliases() {
        for k in AssetKind::ALL {
            assert_eq!(k.as_str().parse::<AssetKind>().unwrap(), *k);
        }
        assert_eq!(
            "Flower-Box".parse::<AssetKind>().unwrap(),
            AssetKind::FlowerBoxGroup
        );
        assert_eq!(
            "Very Good".parse::<Condition>().unwrap(),
            Condition::VeryGood
        );
        let err = "shrubbery".parse::<AssetKind>().unwrap_err();
        assert!(err.contains("flower_box_group"), "{err}");
    }
}
