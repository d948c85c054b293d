//! The rules of tasks, pure: no I/O, no wire types, no clock (today is
//! passed in).
//!
//! | rule | where |
//! |---|---|
//! | types, statuses, priorities | [`TaskType`], [`TaskStatus`], [`Priority`] |
//! | completing stamps who and when; reopening clears it | [`Completion::after`] |
//! | the records a task may be about | [`related_kind`] |
//! | "my tasks": due today, overdue, this week | [`Window`] |

use chrono::{Datelike, Duration, NaiveDate};
use prm_kit::{Error, Result};
use prm_proto::common::v1::RecordType;
use uuid::Uuid;

prm_kit::text_enum!(
    /// What kind of activity.
    TaskType {
        Call => "call",
        Email => "email",
        Meeting => "meeting",
        SendQuote => "send_quote",
        Todo => "todo",
    }
);

prm_kit::text_enum!(
    /// Where a task stands. Any status may follow any other: a deferred task
    /// is taken up again, a completed one reopened.
    TaskStatus {
        Open => "open",
        InProgress => "in_progress",
        Completed => "completed",
        Deferred => "deferred",
    }
);

prm_kit::text_enum!(
    Priority {
        Low => "low",
        Normal => "normal",
        High => "high",
    }
);

impl TaskStatus {
    /// Not completed: it shows among a record's open activities.
    pub fn is_open(self) -> bool {
        self != TaskStatus::Completed
    }

    /// The stored names of the open statuses.
    pub const OPEN: [&'static str; 3] = ["open", "in_progress", "deferred"];
}

/// Who completed a task and when (as UTC timestamps held by the caller).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Completion<T> {
    pub by: Uuid,
    pub at: T,
}

impl<T: Copy> Completion<T> {
    /// The completion stamp after a status change from `from` to `to` by
    /// `who` at `now`: set when the task becomes completed, kept while it
    /// stays completed, cleared when it is reopened.
    pub fn after(
        current: Option<Completion<T>>,
        from: TaskStatus,
        to: TaskStatus,
        who: Uuid,
        now: T,
    ) -> Option<Completion<T>> {
        match (from, to) {
            (TaskStatus::Completed, TaskStatus::Completed) => current,
            (_, TaskStatus::Completed) => Some(Completion { by: who, at: now }),
            _ => None,
        }
    }
}

/// The records a task may be about: every record of DOMAIN.md but a task.
pub fn related_kind(kind: RecordType) -> Result<RecordType> {
    match kind {
        RecordType::Lead
        | RecordType::Account
        | RecordType::Contact
        | RecordType::Project
        | RecordType::Quote
        | RecordType::Order
        | RecordType::Case => Ok(kind),
        _ => Err(Error::invalid("related.type", "is one of lead, account, contact, project, quote, order, case")),
    }
}

prm_kit::text_enum!(
    /// The caller's own open tasks by due date.
    Window {
        MyOpen => "my_open",
        DueToday => "due_today",
        Overdue => "overdue",
        ThisWeek => "this_week",
    }
);

impl Window {
    /// The due dates (inclusive bounds) of the window around `today`: a task
    /// without a due date is in "my open" only.
    pub fn due_between(self, today: NaiveDate) -> Option<(Option<NaiveDate>, Option<NaiveDate>)> {
        match self {
            Window::MyOpen => None,
            Window::DueToday => Some((Some(today), Some(today))),
            Window::Overdue => Some((None, today.pred_opt())),
            Window::ThisWeek => {
                let monday = today - Duration::days(today.weekday().num_days_from_monday().into());
                Some((Some(monday), Some(monday + Duration::days(6))))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TaskStatus::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn completing_stamps_who_and_when_and_reopening_clears_it() {
        let (me, you) = (Uuid::now_v7(), Uuid::now_v7());
        let done = Completion::after(None, Open, Completed, me, 1);
        assert_eq!(done, Some(Completion { by: me, at: 1 }));
        // Saved again while completed: the first stamp stays.
        assert_eq!(Completion::after(done, Completed, Completed, you, 2), done);
        assert_eq!(Completion::after(done, Completed, Open, you, 3), None);
        for from in [Open, InProgress, Deferred] {
            assert_eq!(Completion::after(None, from, Completed, you, 4), Some(Completion { by: you, at: 4 }));
            assert_eq!(Completion::<i32>::after(None, from, InProgress, you, 4), None);
        }
    }

    #[test]
    fn only_completed_tasks_are_not_open() {
        assert!(Open.is_open() && InProgress.is_open() && Deferred.is_open());
        assert!(!Completed.is_open());
        assert_eq!(TaskStatus::OPEN.len(), TaskStatus::NAMES.len() - 1);
    }

    #[test]
    fn tasks_relate_to_every_record_but_tasks() {
        for k in [
            RecordType::Lead,
            RecordType::Account,
            RecordType::Contact,
            RecordType::Project,
            RecordType::Quote,
            RecordType::Order,
            RecordType::Case,
        ] {
            assert_eq!(related_kind(k).unwrap(), k);
        }
        assert!(related_kind(RecordType::Task).is_err());
        assert!(related_kind(RecordType::Unspecified).is_err());
    }

    #[test]
    fn windows_of_my_tasks() {
        // 2026-11-25 is a Wednesday.
        let today = d("2026-11-25");
        assert_eq!(Window::DueToday.due_between(today), Some((Some(today), Some(today))));
        assert_eq!(Window::Overdue.due_between(today), Some((None, Some(d("2026-11-24")))));
        assert_eq!(Window::ThisWeek.due_between(today), Some((Some(d("2026-11-23")), Some(d("2026-11-29")))));
        assert_eq!(Window::ThisWeek.due_between(d("2026-11-23")), Some((Some(d("2026-11-23")), Some(d("2026-11-29")))));
        assert_eq!(Window::ThisWeek.due_between(d("2026-11-29")), Some((Some(d("2026-11-23")), Some(d("2026-11-29")))));
        assert_eq!(Window::MyOpen.due_between(today), None);
    }
}
