//! Crew assignment for one day: each task goes to a crew that covers its zone and has the skill;
//! when several can, the least loaded (hours assigned ÷ hours per day) takes it. Tasks are placed
//! by priority (1 first), so when a crew runs out of hours, what does not fit is its
//! lowest-priority work, which moves to the next day.
//!
//! # Units
//! `minutes` per task; crew capacity in hours per day.

use super::record::Crew;

/// A task to place on a day.
#[derive(Debug, Clone, PartialEq)]
pub struct DayTask {
    pub id: i64,
    pub zone: String,
    pub skill: Option<String>,
    pub minutes: f64,
    pub priority: u8,
}

/// Where a task went.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    pub task_id: i64,
    /// `None` when no crew covers the zone with the skill.
    pub crew: Option<String>,
    /// The crew was full: the task moves to the next day.
    pub overflow: bool,
}

/// Places one day's tasks on the crews.
pub fn assign_day(tasks: &[DayTask], crews: &[Crew]) -> Vec<Placement> {
    let mut groups = CrewGroups::new(crews);
    let grouped: Vec<GroupTask> = tasks
        .iter()
        .map(|t| GroupTask {
            id: t.id,
            group: groups.group(&t.zone, t.skill.as_deref()),
            minutes: t.minutes,
            priority: t.priority,
        })
        .collect();
    assign_day_grouped(&grouped, crews, &groups.candidates)
        .into_iter()
        .map(|p| Placement {
            task_id: p.task_id,
            crew: p.crew.map(|i| crews[i].name.clone()),
            overflow: p.overflow,
        })
        .collect()
}

/// Tasks' (zone, skill) pairs reduced to groups, with the crews covering each group worked out
/// once: a city has hundreds of crews and hundreds of thousands of tasks a day.
pub struct CrewGroups<'a> {
    crews: &'a [Crew],
    index: rustc_hash::FxHashMap<(&'a str, Option<&'a str>), usize>,
    /// For each group, in ascending order, the crews that cover its zone and skill: the
    /// `candidates` of [`assign_day_grouped`].
    pub candidates: Vec<Vec<usize>>,
}

impl<'a> CrewGroups<'a> {
    pub fn new(crews: &'a [Crew]) -> Self {
        CrewGroups {
            crews,
            index: Default::default(),
            candidates: Vec::new(),
        }
    }

    /// The group of a zone and skill (a new one the first time the pair is seen).
    pub fn group(&mut self, zone: &'a str, skill: Option<&'a str>) -> usize {
        let (crews, candidates) = (self.crews, &mut self.candidates);
        *self.index.entry((zone, skill)).or_insert_with(|| {
            candidates.push(
                (0..crews.len())
                    .filter(|&i| crews[i].covers(zone, skill))
                    .collect(),
            );
            candidates.len() - 1
        })
    }
}

/// A task to place whose zone and skill the caller has reduced to a group, with the crews that
/// cover each group worked out once (a seasonal plan places tens of millions of tasks).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupTask {
    pub id: i64,
    /// Index into the `candidates` of [`assign_day_grouped`].
    pub group: usize,
    pub minutes: f64,
    pub priority: u8,
}

/// Where a grouped task went.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupPlacement {
    pub task_id: i64,
    /// Index into the crews; `None` when no crew covers the group.
    pub crew: Option<usize>,
    /// The crew was full: the task moves to the next day.
    pub overflow: bool,
}

/// [`assign_day`] on grouped tasks: `candidates[group]` lists, in ascending order, the crews
/// that cover the group's zone and skill.
pub fn assign_day_grouped(
    tasks: &[GroupTask],
    crews: &[Crew],
    candidates: &[Vec<usize>],
) -> Vec<GroupPlacement> {
    let mut load_h = vec![0.0f64; crews.len()];
    let mut order: Vec<&GroupTask> = tasks.iter().collect();
    order.sort_by(|a, b| {
        a.priority
            .cmp(&b.priority)
            .then(b.minutes.total_cmp(&a.minutes))
            .then(a.id.cmp(&b.id))
    });
    let mut out = Vec::with_capacity(tasks.len());
    for t in order {
        let candidates = &candidates[t.group];
        let share = |i: usize| load_h[i] / crews[i].hours_per_day.max(1e-9);
        let Some(&best) = candidates
            .iter()
            .min_by(|&&a, &&b| share(a).total_cmp(&share(b)).then(a.cmp(&b)))
        else {
            out.push(GroupPlacement {
                task_id: t.id,
                crew: None,
                overflow: false,
            });
            continue;
        };
        let hours = t.minutes / 60.0;
        // Prefer a candidate with room; the least loaded one may still be full.
        let with_room = candidates
            .iter()
            .copied()
            .filter(|&i| load_h[i] + hours <= crews[i].hours_per_day + 1e-9)
            .min_by(|&a, &b| share(a).total_cmp(&share(b)).then(a.cmp(&b)));
        match with_room {
            Some(i) => {
                load_h[i] += hours;
                out.push(GroupPlacement {
                    task_id: t.id,
                    crew: Some(i),
                    overflow: false,
                });
            }
            None => out.push(GroupPlacement {
                task_id: t.id,
                crew: Some(best),
                overflow: true,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crew(name: &str, zones: &[&str], skills: &[&str], hours: f64) -> Crew {
        Crew {
            id: 0,
            name: name.into(),
            zones: zones.iter().map(|s| s.to_string()).collect(),
            skills: skills.iter().map(|s| s.to_string()).collect(),
            hours_per_day: hours,
            start_lon: 0.0,
            start_lat: 0.0,
        }
    }

    fn task(id: i64, zone: &str, skill: &str, minutes: f64, priority: u8) -> DayTask {
        DayTask {
            id,
            zone: zone.into(),
            skill: Some(skill.into()),
            minutes,
            priority,
        }
    }

    #[test]
    fn balances_hours_between_crews_that_can_both_do_the_work() {
        let crews = [
            crew("a", &["sq"], &["watering"], 8.0),
            crew("b", &["sq"], &["watering"], 8.0),
        ];
        let tasks: Vec<_> = (0..6).map(|i| task(i, "sq", "watering", 60.0, 3)).collect();
        let p = assign_day(&tasks, &crews);
        let a = p.iter().filter(|x| x.crew.as_deref() == Some("a")).count();
        assert_eq!((a, p.len() - a), (3, 3));
        assert!(p.iter().all(|x| !x.overflow));
    }

    #[test]
    fn zone_and_skill_decide_who_can_and_overflow_moves_lowest_priority() {
        let crews = [
            crew("sprayers", &[], &["spraying"], 2.0),
            crew("gardeners", &["sq"], &["watering"], 8.0),
        ];
        let tasks = vec![
            task(1, "street", "spraying", 60.0, 2),
            task(2, "street", "spraying", 60.0, 1),
            task(3, "street", "spraying", 60.0, 5),
            task(4, "sq", "watering", 30.0, 3),
            task(5, "park", "watering", 30.0, 3),
        ];
        let p = assign_day(&tasks, &crews);
        let get = |id| p.iter().find(|x| x.task_id == id).unwrap().clone();
        assert_eq!(get(2).crew.as_deref(), Some("sprayers"));
        assert_eq!(get(1).crew.as_deref(), Some("sprayers"));
        assert!(get(3).overflow, "priority 5 is the one that does not fit");
        assert!(!get(1).overflow && !get(2).overflow);
        assert_eq!(get(4).crew.as_deref(), Some("gardeners"));
        assert_eq!(get(5).crew, None, "nobody covers the park");
    }

    #[test]
    fn grouped_placement_is_the_same_as_by_zone_and_skill() {
        let crews = [
            crew("a", &["sq", "park"], &["watering"], 1.0),
            crew("b", &["sq"], &["watering", "spraying"], 1.5),
            crew("c", &[], &["spraying"], 0.5),
        ];
        let spec = [
            ("sq", "watering"),
            ("park", "watering"),
            ("sq", "spraying"),
            ("street", "spraying"),
            ("street", "watering"),
        ];
        let tasks: Vec<DayTask> = (0..40)
            .map(|i| {
                let (zone, skill) = spec[i % spec.len()];
                task(
                    i as i64,
                    zone,
                    skill,
                    10.0 + (i % 7) as f64 * 5.0,
                    (i % 3) as u8 + 1,
                )
            })
            .collect();
        let candidates: Vec<Vec<usize>> = spec
            .iter()
            .map(|(z, s)| {
                (0..crews.len())
                    .filter(|&i| crews[i].covers(z, Some(s)))
                    .collect()
            })
            .collect();
        let grouped: Vec<GroupTask> = tasks
            .iter()
            .enumerate()
            .map(|(i, t)| GroupTask {
                id: t.id,
                group: i % spec.len(),
                minutes: t.minutes,
                priority: t.priority,
            })
            .collect();
        let by_name: Vec<(i64, Option<String>, bool)> = assign_day(&tasks, &crews)
            .into_iter()
            .map(|p| (p.task_id, p.crew, p.overflow))
            .collect();
        let by_group: Vec<(i64, Option<String>, bool)> =
            assign_day_grouped(&grouped, &crews, &candidates)
                .into_iter()
                .map(|p| (p.task_id, p.crew.map(|i| crews[i].name.clone()), p.overflow))
                .collect();
        assert_eq!(by_name, by_group);
        assert!(by_name.iter().any(|p| p.2), "some overflow");
        assert!(by_name.iter().any(|p| p.1.is_none()), "some unassigned");
    }
}
