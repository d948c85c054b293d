//! What keeps a project from being deleted.

/// A project its quotes name is not deleted: the refusal names some of them
/// (`more` when there are others). A quote past draft cannot be deleted, so
/// such a project is closed lost instead.
pub fn delete_refusal(quotes: &[String], more: bool) -> Option<String> {
    if quotes.is_empty() {
        return None;
    }
    let noun = if quotes.len() == 1 && !more { "a quote" } else { "quotes" };
    let more = if more { ", …" } else { "" };
    Some(format!(
        "the project still has {noun} ({}{more}); delete draft quotes first, or close the project lost",
        quotes.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::delete_refusal;

    #[test]
    fn quotes_keep_a_project() {
        assert_eq!(delete_refusal(&[], false), None);
        assert!(delete_refusal(&["Offer".into()], false).unwrap().contains("has a quote (Offer)"));
        assert!(delete_refusal(&["A".into(), "B".into()], true).unwrap().contains("has quotes (A, B, …)"));
    }
}
