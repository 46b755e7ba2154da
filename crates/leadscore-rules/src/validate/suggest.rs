//! "Did you mean ...?" in the rules' messages, over the one nearest-name
//! function ([`leadscore_domain::suggest::nearest`]).

pub(crate) use leadscore_domain::suggest::nearest;

/// `" (did you mean `x`?)"` for the nearest known name, or nothing.
pub(crate) fn did_you_mean<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    nearest(name, known)
        .map(|n| format!(" (did you mean `{n}`?)"))
        .unwrap_or_default()
}

/// `a, b or c`.
pub(crate) fn one_of(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints() {
        assert_eq!(
            did_you_mean("ParentAcount", ["ParentContact", "ParentAccount"]),
            " (did you mean `ParentAccount`?)"
        );
        assert_eq!(did_you_mean("Meeting", ["ParentContact"]), "");
    }

    #[test]
    fn lists() {
        assert_eq!(one_of(&["a"]), "a");
        assert_eq!(one_of(&["a", "b", "c"]), "a, b or c");
    }
}
