//! Who hears about a change of a case, and what the e-mail says. The
//! submitter hears about support's public replies and questions; the
//! assigned agent hears about the partner's replies; internal comments are
//! never mailed. Every e-mail links straight to the case.

use prm_kit::mail::MailEvent;

use super::{CaseStatus, Side};

/// What happened on a case that may be worth an e-mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event<'a> {
    /// A comment; `text` may be empty (a move without a message).
    Comment { side: Side, internal: bool, text: &'a str },
    /// A status move, with the message posted with it, if any.
    Moved { side: Side, to: CaseStatus, text: &'a str },
}

/// The case as the e-mails name it.
#[derive(Debug, Clone)]
pub struct CaseMail<'a> {
    pub number: &'a str,
    pub subject: &'a str,
    pub link: &'a str,
    pub submitter_email: &'a str,
    pub submitter_name: &'a str,
    pub assignee_email: &'a str,
    pub assignee_name: &'a str,
    /// Who acted, as the recipient should read it.
    pub author_name: &'a str,
}

/// The one e-mail `event` causes, if any.
pub fn mail_for(case: &CaseMail<'_>, event: Event<'_>) -> Option<MailEvent> {
    let author = if case.author_name.trim().is_empty() { None } else { Some(case.author_name.trim()) };
    let (side, text, question) = match event {
        Event::Comment { internal: true, .. } => return None,
        Event::Comment { side, text, .. } => (side, text, false),
        Event::Moved { side: Side::Support, to: CaseStatus::WaitingOnPartner, text } => (Side::Support, text, true),
        // Other moves are news only when they carry a message.
        Event::Moved { side, text, .. } if !text.trim().is_empty() => (side, text, false),
        Event::Moved { .. } => return None,
    };
    let (to_email, to_name, what) = match side {
        Side::Support => (
            case.submitter_email,
            case.submitter_name,
            if question {
                format!("{} needs an answer from you", author.unwrap_or("Support"))
            } else {
                format!("{} replied", author.unwrap_or("Support"))
            },
        ),
        Side::Partner => {
            (case.assignee_email, case.assignee_name, format!("{} replied", author.unwrap_or("The partner")))
        }
    };
    if to_email.is_empty() {
        return None;
    }
    let mut body = format!("{what} on case {} \"{}\".\n\n", case.number, case.subject);
    if !text.trim().is_empty() {
        body.push_str(text.trim());
        body.push_str("\n\n");
    }
    // The link on a line of its own, so mail clients show it whole.
    body.push_str(&format!("Open the case:\n{}\n", case.link));
    let prefix = if question { "Waiting on you" } else { "Reply" };
    Some(MailEvent {
        to_email: to_email.to_string(),
        to_name: to_name.to_string(),
        subject: format!("[{}] {prefix}: {}", case.number, case.subject),
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case() -> CaseMail<'static> {
        CaseMail {
            number: "CS-000007",
            subject: "SIP trunk down",
            link: "http://localhost:8080/cases/abc",
            submitter_email: "bob@acme.example",
            submitter_name: "Bob Baker",
            assignee_email: "sam@vendor.example",
            assignee_name: "Sam Support",
            author_name: "Sam Support",
        }
    }

    #[test]
    fn a_support_reply_goes_to_the_submitter_with_text_and_link() {
        let m =
            mail_for(&case(), Event::Comment { side: Side::Support, internal: false, text: "Restart it." }).unwrap();
        assert_eq!(m.to_email, "bob@acme.example");
        assert!(m.subject.contains("CS-000007"));
        assert!(m.body.contains("Restart it.") && m.body.contains("http://localhost:8080/cases/abc"), "{}", m.body);
    }

    #[test]
    fn internal_comments_are_never_mailed() {
        assert!(mail_for(&case(), Event::Comment { side: Side::Support, internal: true, text: "x" }).is_none());
    }

    #[test]
    fn a_partner_reply_goes_to_the_assignee_if_any() {
        let m = mail_for(&case(), Event::Comment { side: Side::Partner, internal: false, text: "Done" }).unwrap();
        assert_eq!(m.to_email, "sam@vendor.example");
        let unassigned = CaseMail { assignee_email: "", ..case() };
        assert!(mail_for(&unassigned, Event::Comment { side: Side::Partner, internal: false, text: "x" }).is_none());
    }

    #[test]
    fn a_question_is_mailed_even_without_text_other_moves_only_with_one() {
        let q = mail_for(&case(), Event::Moved { side: Side::Support, to: CaseStatus::WaitingOnPartner, text: "" });
        assert!(q.unwrap().subject.starts_with("[CS-000007] Waiting on you"));
        assert!(mail_for(&case(), Event::Moved { side: Side::Support, to: CaseStatus::Solved, text: "" }).is_none());
        let solved = mail_for(&case(), Event::Moved { side: Side::Support, to: CaseStatus::Solved, text: "Fixed." });
        assert_eq!(solved.unwrap().to_email, "bob@acme.example");
    }
}
