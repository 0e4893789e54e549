//! Which assets a rule applies to: a system over the ECS world. A selector matches on the
//! components an asset has (kind, zone, species, condition, site state, heritage, tags);
//! retired assets never match.

use bevy_ecs::prelude::{QueryState, Without};

use super::rules::{Per, Selector};
use crate::model::AssetWorld;
use crate::model::components::{
    AssetId, Container, Health, Heritage, Kind, Location, Retired, SiteStatus, Species, Tags,
    TreeCount, ZoneMember,
};

/// An asset a rule selected, with what the scheduler needs of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Selected {
    pub asset_id: i64,
    /// Units the rule's minutes count: 1 per asset, boxes of a box group, trees of a tree row.
    pub units: f64,
    pub lon: f64,
    pub lat: f64,
}

fn eq_ci(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// The live assets matching a selector, in asset-id order.
pub fn select(world: &mut AssetWorld, sel: &Selector, per: Per) -> Vec<Selected> {
    select_with(world, sel, per, |m| Selected {
        asset_id: m.asset_id,
        units: m.units,
        lon: m.location.lon,
        lat: m.location.lat,
    })
}

/// What [`select_with`] hands over of a matching asset.
pub struct Match<'a> {
    pub asset_id: i64,
    pub kind: crate::model::AssetKind,
    pub units: f64,
    pub location: &'a Location,
}

/// [`select`] keeping what `f` makes of each match (in asset-id order): a caller that needs
/// only ids and units builds nothing more.
pub fn select_with<T>(
    world: &mut AssetWorld,
    sel: &Selector,
    per: Per,
    f: impl FnMut(Match<'_>) -> T,
) -> Vec<T> {
    let mut q = SelectQuery::new(world);
    q.select_with(world, sel, per, f)
}

/// The query selection runs, made once with the world mutable (it registers what it reads);
/// it then selects through a shared world, so that threads can select for different rules.
pub struct SelectQuery(QueryState<SelectData, Without<Retired>>);

/// The components selection reads.
type SelectData = (
    &'static AssetId,
    &'static Kind,
    &'static Location,
    Option<&'static ZoneMember>,
    Option<&'static Species>,
    Option<&'static Health>,
    Option<&'static SiteStatus>,
    Option<&'static Heritage>,
    Option<&'static Container>,
    Option<&'static TreeCount>,
    Option<&'static Tags>,
);

impl SelectQuery {
    pub fn new(world: &mut AssetWorld) -> SelectQuery {
        SelectQuery(world.world.query_filtered())
    }

    /// [`select`] through this query (the world must not have changed since it was made).
    pub fn select(&mut self, world: &AssetWorld, sel: &Selector, per: Per) -> Vec<Selected> {
        self.select_with(world, sel, per, |m| Selected {
            asset_id: m.asset_id,
            units: m.units,
            lon: m.location.lon,
            lat: m.location.lat,
        })
    }

    /// [`select_with`] through this query.
    pub fn select_with<T>(
        &mut self,
        world: &AssetWorld,
        sel: &Selector,
        per: Per,
        mut f: impl FnMut(Match<'_>) -> T,
    ) -> Vec<T> {
        let mut out: Vec<(i64, T)> = self
            .0
            .iter(&world.world)
            .filter(
                |(_, kind, _, zone, species, health, state, heritage, _, _, tags)| {
                    (sel.kinds.is_empty() || sel.kinds.contains(&kind.0))
                        && (sel.zones.is_empty()
                            || zone.is_some_and(|z| sel.zones.iter().any(|n| **n == *z.zone)))
                        && (sel.species.is_empty()
                            || species
                                .and_then(|s| s.0.latin.as_deref())
                                .is_some_and(|l| sel.species.iter().any(|x| eq_ci(x, l))))
                        && (sel.genus.is_empty()
                            || species
                                .and_then(|s| s.0.genus_or_derived())
                                .is_some_and(|g| sel.genus.iter().any(|x| eq_ci(x, &g))))
                        && (sel.condition.is_empty()
                            || health.is_some_and(|h| sel.condition.contains(&h.0)))
                        && (sel.site_state.is_empty()
                            || state.is_some_and(|s| sel.site_state.contains(&s.0)))
                        && sel.heritage.is_none_or(|want| heritage.is_some() == want)
                        && sel
                            .tags
                            .iter()
                            .all(|(k, v)| tags.and_then(|t| t.0.get(k)).is_some_and(|x| x == v))
                },
            )
            .map(|(id, kind, loc, _, _, _, _, _, container, count, _)| {
                let m = Match {
                    asset_id: id.0,
                    kind: kind.0,
                    units: match per {
                        Per::Asset => 1.0,
                        Per::Box => container.map(|c| f64::from(c.0.box_count)).unwrap_or(1.0),
                        Per::Tree => count.map(|c| f64::from(c.0)).unwrap_or(1.0),
                    },
                    location: loc,
                };
                (id.0, f(m))
            })
            .collect();
        // Stable: the query's order among equal ids (there are none) is kept.
        out.sort_by_key(|(id, _)| *id);
        out.into_iter().map(|(_, t)| t).collect()
    }
}
