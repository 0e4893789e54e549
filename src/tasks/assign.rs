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
    let mut load_h = vec![0.0f64; crews.len()];
    let mut order: Vec<&DayTask> = tasks.iter().collect();
    order.sort_by(|a, b| {
        a.priority
            .cmp(&b.priority)
            .then(b.minutes.total_cmp(&a.minutes))
            .then(a.id.cmp(&b.id))
    });
    let mut out = Vec::with_capacity(tasks.len());
    // Candidates per (zone, skill), computed once: a city has hundreds of crews and
    // hundreds of thousands of tasks a day.
    let mut candidates_of: std::collections::HashMap<(&str, Option<&str>), Vec<usize>> =
        std::collections::HashMap::new();
    for t in order {
        let candidates = candidates_of
            .entry((t.zone.as_str(), t.skill.as_deref()))
            .or_insert_with(|| {
                (0..crews.len())
                    .filter(|&i| crews[i].covers(&t.zone, t.skill.as_deref()))
                    .collect()
            });
        let share = |i: usize| load_h[i] / crews[i].hours_per_day.max(1e-9);
        let Some(&best) = candidates
            .iter()
            .min_by(|&&a, &&b| share(a).total_cmp(&share(b)).then(a.cmp(&b)))
        else {
            out.push(Placement {
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
                out.push(Placement {
                    task_id: t.id,
                    crew: Some(crews[i].name.clone()),
                    overflow: false,
                });
            }
            None => out.push(Placement {
                task_id: t.id,
                crew: Some(crews[best].name.clone()),
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
}
