//! Reading the text view back into a model ([`RuleModel::from_text`]), the
//! inverse of [`RuleModel::to_text`]:
//!
//! ```text
//! MODEL "Fit" TARGET contact SALES READY 30 FLOOR 0
//! GRADES "Low" ..9, "High" 10..
//! RULE "Clicked" +5 EACH (CAP 25): EmailClicked WITHIN 365d WHERE Contact.city = 'Chicago'
//! RULE "Came" +10: ANY(EventAttended OR Lead WHERE source = 'Webinar')
//! ```
//!
//! The text is read into the same document the YAML is, then checked like any
//! other ([`RuleModel::from_value`]): a mistake of the text's own shape is
//! named by its line, anything else by the model's path.

use serde_json::{Map, Number, Value};

use crate::error::{LineProblem, RulesError};
use crate::model::RuleModel;

impl RuleModel {
    /// Reads a model from its text view (RULES.md, "Text view"; what
    /// [`RuleModel::to_text`] writes), checking everything RULES.md asks for.
    ///
    /// A line that does not read is a [`RulesError::TextView`] listing every
    /// such line with what is wrong; a text that reads but breaks RULES.md is a
    /// [`RulesError::Invalid`] listing every problem with its place, as
    /// [`RuleModel::from_yaml`] does. Blank lines are skipped.
    ///
    /// ```
    /// use leadscore_rules::{LineProblem, RuleModel, RulesError};
    ///
    /// let model = RuleModel::from_yaml(r#"
    /// name: Webinar engagement
    /// target: contact
    /// rules:
    ///   - name: Clicked an email
    ///     when: [ { entity: EmailClicked, frequency: each, within: 30d } ]
    ///     points: 5
    ///     cap: 25
    /// "#)?;
    /// assert_eq!(RuleModel::from_text(&model.to_text())?, model);
    ///
    /// let Err(RulesError::TextView { problems }) =
    ///     RuleModel::from_text("MODEL \"M\" TARGET contact\nRULE \"R\" +5 EmailClicked")
    /// else {
    ///     unreachable!("the second line has no `:`");
    /// };
    /// assert_eq!(problems, [LineProblem::new(2, "expected `:`, found `EmailClicked`")]);
    /// # Ok::<(), RulesError>(())
    /// ```
    pub fn from_text(text: &str) -> Result<Self, RulesError> {
        let mut doc = Map::new();
        let mut rules = Vec::new();
        let mut problems = Vec::new();
        for (n, raw) in text.lines().enumerate() {
            let tokens = match tokens(raw) {
                Ok(t) => t,
                Err(e) => {
                    problems.push(LineProblem::new(n + 1, e));
                    continue;
                }
            };
            let mut line = Line { tokens, at: 0 };
            let result = if line.tokens.is_empty() {
                continue;
            } else if line.keyword(&["MODEL"]) {
                model_line(&mut line, &mut doc)
            } else if line.keyword(&["GRADES"]) {
                grades_line(&mut line).map(|g| {
                    doc.insert("grades".into(), g);
                })
            } else if line.keyword(&["RULE"]) {
                rule_line(&mut line).map(|r| rules.push(r))
            } else {
                Err(format!(
                    "a line starts with MODEL, GRADES or RULE{}",
                    line.found()
                ))
            };
            let result = result.and_then(|()| match line.peek() {
                None => Ok(()),
                Some(_) => Err(format!("unexpected text at the end{}", line.found())),
            });
            if let Err(e) = result {
                problems.push(LineProblem::new(n + 1, e));
            }
        }
        if !problems.is_empty() {
            return Err(RulesError::TextView { problems });
        }
        doc.insert("rules".into(), Value::Array(rules));
        Self::from_value(Value::Object(doc))
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// `"..."`: a name.
    Name(String),
    /// `'...'`: a text value.
    Text(String),
    /// `(`, `)`, `,` or `:`.
    Punct(char),
    /// Anything else: keywords, numbers, paths, spans, dates.
    Word(String),
}

fn tokens(line: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c.is_whitespace() {
            i += 1;
        } else if c == '"' {
            let mut text = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err("a name's closing `\"` is missing".to_owned()),
                    Some('\\') => {
                        if let Some(n) = chars.get(i + 1) {
                            text.push(*n);
                        }
                        i += 2;
                    }
                    Some('"') => {
                        i += 1;
                        break;
                    }
                    Some(ch) => {
                        text.push(*ch);
                        i += 1;
                    }
                }
            }
            out.push(Token::Name(text));
        } else if c == '\'' {
            let mut text = String::new();
            i += 1;
            loop {
                match (chars.get(i), chars.get(i + 1)) {
                    (None, _) => return Err("a text's closing `'` is missing".to_owned()),
                    (Some('\''), Some('\'')) => {
                        text.push('\'');
                        i += 2;
                    }
                    (Some('\''), _) => {
                        i += 1;
                        break;
                    }
                    (Some(ch), _) => {
                        text.push(*ch);
                        i += 1;
                    }
                }
            }
            out.push(Token::Text(text));
        } else if matches!(c, '(' | ')' | ',')
            || (c == ':' && chars.get(i + 1).is_none_or(|n| n.is_whitespace()))
        {
            out.push(Token::Punct(c));
            i += 1;
        } else {
            let mut word = String::new();
            while let Some(&ch) = chars.get(i) {
                let colon_ends = ch == ':' && chars.get(i + 1).is_none_or(|n| n.is_whitespace());
                if ch.is_whitespace() || matches!(ch, '(' | ')' | ',' | '"' | '\'') || colon_ends {
                    break;
                }
                word.push(ch);
                i += 1;
            }
            out.push(Token::Word(word));
        }
    }
    Ok(out)
}

/// One line's tokens, read from the left.
struct Line {
    tokens: Vec<Token>,
    at: usize,
}

impl Line {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    /// True (and consumed) when the next words are `words`.
    fn keyword(&mut self, words: &[&str]) -> bool {
        let matches = words
            .iter()
            .enumerate()
            .all(|(k, w)| matches!(self.tokens.get(self.at + k), Some(Token::Word(x)) if x == w));
        if matches {
            self.at += words.len();
        }
        matches
    }

    fn punct(&mut self, c: char) -> bool {
        if self.peek() == Some(&Token::Punct(c)) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect_punct(&mut self, c: char) -> Result<(), String> {
        if self.punct(c) {
            Ok(())
        } else {
            Err(format!("expected `{c}`{}", self.found()))
        }
    }

    fn word(&mut self, what: &str) -> Result<String, String> {
        match self.peek() {
            Some(Token::Word(w)) => {
                let w = w.clone();
                self.at += 1;
                Ok(w)
            }
            _ => Err(format!("expected {what}{}", self.found())),
        }
    }

    fn name(&mut self, what: &str) -> Result<String, String> {
        match self.peek() {
            Some(Token::Name(n)) => {
                let n = n.clone();
                self.at += 1;
                Ok(n)
            }
            _ => Err(format!("expected {what} in double quotes{}", self.found())),
        }
    }

    /// A value: `'text'`, or a word read as a number, a boolean or text.
    fn value(&mut self) -> Result<Value, String> {
        let value = match self.peek() {
            Some(Token::Text(t)) => Value::String(t.clone()),
            Some(Token::Word(w)) => typed(w),
            _ => {
                return Err(format!(
                    "expected a value ('text' or a number){}",
                    self.found()
                ));
            }
        };
        self.at += 1;
        Ok(value)
    }

    fn found(&self) -> String {
        match self.peek() {
            None => ", found the end of the line".to_owned(),
            Some(Token::Word(w)) => format!(", found `{w}`"),
            Some(Token::Name(n)) => format!(", found \"{n}\""),
            Some(Token::Text(t)) => format!(", found '{t}'"),
            Some(Token::Punct(c)) => format!(", found `{c}`"),
        }
    }
}

/// A whole number when the word is one, else the word (the check names it).
fn number(word: &str) -> Value {
    word.trim_start_matches('+').parse::<i64>().map_or_else(
        |_| Value::String(word.to_owned()),
        |n| Value::Number(n.into()),
    )
}

/// An unquoted value: a whole number, a (finite) number or `true` / `false`
/// is that; anything else is text.
fn typed(word: &str) -> Value {
    if let Ok(n) = word.parse::<i64>() {
        return Value::Number(n.into());
    }
    if let Some(n) = word.parse::<f64>().ok().and_then(Number::from_f64) {
        return Value::Number(n);
    }
    match word {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => Value::String(word.to_owned()),
    }
}

fn model_line(line: &mut Line, doc: &mut Map<String, Value>) -> Result<(), String> {
    doc.insert("name".into(), Value::String(line.name("the model's name")?));
    if !line.keyword(&["TARGET"]) {
        return Err(format!("expected TARGET{}", line.found()));
    }
    doc.insert(
        "target".into(),
        Value::String(line.word("contact or account")?),
    );
    if line.keyword(&["SALES", "READY"]) {
        doc.insert("sales_ready".into(), number(&line.word("a score")?));
    }
    if line.keyword(&["FLOOR"]) {
        doc.insert("floor".into(), number(&line.word("a score")?));
    }
    Ok(())
}

fn grades_line(line: &mut Line) -> Result<Value, String> {
    let mut grades = Vec::new();
    loop {
        let name = line.name("a grade's name")?;
        let range = line.word("a range (10..49, ..9 or 50..)")?;
        let Some((min, max)) = range.split_once("..") else {
            return Err(format!(
                "`{range}` is not a range: write min..max (either may be left out)"
            ));
        };
        let mut grade = Map::new();
        grade.insert("name".into(), Value::String(name));
        if !min.is_empty() {
            grade.insert("min".into(), number(min));
        }
        if !max.is_empty() {
            grade.insert("max".into(), number(max));
        }
        grades.push(Value::Object(grade));
        if !line.punct(',') {
            break;
        }
    }
    Ok(Value::Array(grades))
}

/// The comparisons' words, longest first, with the document's `op`.
const OPS: &[(&[&str], &str)] = &[
    (&["IS", "NOT", "EMPTY"], "is_not_empty"),
    (&["IS", "EMPTY"], "is_empty"),
    (&["NOT", "CONTAINS"], "not_contains"),
    (&["NOT", "IN"], "not_in"),
    (&["STARTS", "WITH"], "starts_with"),
    (&["ENDS", "WITH"], "ends_with"),
    (&["CONTAINS"], "contains"),
    (&["IN"], "in"),
    (&["!="], "ne"),
    (&["<="], "le"),
    (&[">="], "ge"),
    (&["="], "eq"),
    (&["<"], "lt"),
    (&[">"], "gt"),
];

fn predicate(line: &mut Line) -> Result<Value, String> {
    let mut p = Map::new();
    p.insert("field".into(), Value::String(line.word("a field")?));
    let Some((_, op)) = OPS.iter().find(|(words, _)| line.keyword(words)) else {
        return Err(format!(
            "expected a comparison (=, !=, <, IN, CONTAINS, IS EMPTY, ...){}",
            line.found()
        ));
    };
    p.insert("op".into(), Value::String((*op).to_owned()));
    match *op {
        "in" | "not_in" => {
            line.expect_punct('(')?;
            let mut items = Vec::new();
            if !line.punct(')') {
                loop {
                    items.push(line.value()?);
                    if line.punct(')') {
                        break;
                    }
                    line.expect_punct(',')?;
                }
            }
            p.insert("value".into(), Value::Array(items));
        }
        "is_empty" | "is_not_empty" => {}
        _ => {
            p.insert("value".into(), line.value()?);
        }
    }
    Ok(Value::Object(p))
}

/// `[EACH] [NO | AT LEAST n] entity [WITHIN s] [SINCE d] [HALF-LIFE s] [WHERE p AND ...]`
fn condition(line: &mut Line, each: bool) -> Result<Value, String> {
    let mut c = Map::new();
    let each = line.keyword(&["EACH"]) || each;
    let mut frequency = each.then_some("each");
    if line.keyword(&["NO"]) {
        frequency = Some("none");
    } else if line.keyword(&["AT", "LEAST"]) {
        frequency = Some("at_least");
        c.insert("count".into(), number(&line.word("a count")?));
    }
    c.insert(
        "entity".into(),
        Value::String(line.word("an entity (Lead, EmailClicked, ...)")?),
    );
    if let Some(f) = frequency {
        c.insert("frequency".into(), Value::String(f.to_owned()));
    }
    for (word, key) in [
        ("WITHIN", "within"),
        ("SINCE", "since"),
        ("HALF-LIFE", "half_life"),
    ] {
        if line.keyword(&[word]) {
            c.insert(key.into(), Value::String(line.word("a span or a date")?));
        }
    }
    if line.keyword(&["WHERE"]) {
        let mut filters = vec![predicate(line)?];
        while line.keyword(&["AND"]) {
            filters.push(predicate(line)?);
        }
        c.insert("where".into(), Value::Array(filters));
    }
    Ok(Value::Object(c))
}

fn rule_line(line: &mut Line) -> Result<Value, String> {
    let mut rule = Map::new();
    rule.insert("name".into(), Value::String(line.name("the rule's name")?));
    rule.insert("points".into(), number(&line.word("points (+5, -3)")?));
    let each = line.keyword(&["EACH"]);
    if line.punct('(') {
        if !line.keyword(&["CAP"]) {
            return Err(format!("expected CAP{}", line.found()));
        }
        rule.insert("cap".into(), number(&line.word("a cap")?));
        line.expect_punct(')')?;
    }
    line.expect_punct(':')?;
    if line.keyword(&["ANY"]) {
        line.expect_punct('(')?;
        let mut list = Vec::new();
        loop {
            if line.punct('(') {
                list.push(condition(line, false)?);
                line.expect_punct(')')?;
            } else {
                list.push(condition(line, false)?);
            }
            if !line.keyword(&["OR"]) {
                break;
            }
        }
        line.expect_punct(')')?;
        rule.insert("any".into(), Value::Array(list));
    } else if line.peek() == Some(&Token::Punct('(')) {
        let mut list = Vec::new();
        loop {
            line.expect_punct('(')?;
            list.push(condition(line, false)?);
            line.expect_punct(')')?;
            if !line.keyword(&["AND"]) {
                break;
            }
        }
        rule.insert("when".into(), Value::Array(list));
    } else {
        rule.insert("when".into(), Value::Array(vec![condition(line, each)?]));
    }
    Ok(Value::Object(rule))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    const MODEL: &str = r#"
name: Webinar "engagement"
target: contact
sales_ready: 100
floor: 0
grades:
  - { name: Cold, min: 0,  max: 49 }
  - { name: Warm, min: 50, max: 99 }
  - { name: Hot,  min: 100 }
rules:
  - name: Clicked an email this year
    when:
      - entity: EmailClicked
        frequency: each
        within: 365d
        half_life: 30d
        where:
          - { field: Contact.city, op: eq, value: "Chi'cago" }
          - { field: url, op: not_in, value: [a, "b, c", 3] }
    points: 5
    cap: 25
  - name: Big company
    when:
      - entity: Lead.ParentAccount
        where: [ { field: employees, op: gt, value: 500 }, { field: industry, op: is_not_empty } ]
    points: -20
  - name: Came from a webinar or an event
    any:
      - { entity: EventAttended, frequency: at_least, count: 2, since: 2026-01-01 }
      - { entity: Lead, where: [ { field: source, op: eq, value: Webinar }, { field: topic, op: contains, value: AI } ] }
      - { entity: FormSubmitted, frequency: none }
    points: 10
  - name: Registered but did not attend
    when:
      - { entity: EventRegistered, within: 90d }
      - { entity: EventAttended, frequency: none, within: 90d }
      - { entity: EmailOpened, frequency: each }
    points: -5
"#;

    #[test]
    fn the_text_view_reads_back() {
        let model = RuleModel::from_yaml(MODEL).unwrap();
        let text = model.to_text();
        let again = RuleModel::from_text(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(again.to_text(), text);
        assert_eq!(again, model);
    }

    #[test]
    fn mistakes_are_named_by_line() {
        let e = RuleModel::from_text("MODEL \"M\" TARGET contact\nRULE \"R\" +5 EmailClicked")
            .unwrap_err();
        let RulesError::TextView { problems } = &e else {
            panic!("{e:?}");
        };
        assert_eq!(
            problems,
            &[LineProblem::new(2, "expected `:`, found `EmailClicked`")]
        );
        assert_eq!(
            problems[0].to_string(),
            "line 2: expected `:`, found `EmailClicked`"
        );
        assert_eq!(
            e.to_string(),
            "1 problem in the text view: line 2: expected `:`, found `EmailClicked`"
        );
    }

    #[test]
    fn every_line_that_does_not_read_is_named() {
        let text = "MODEL \"M\" TARGET\n\nGRADES \"Low\" 9\nRULE \"R\" +5: Lead WHERE x ~ 1\n\
                    RULE \"S\" +1: Lead extra\nRULE \"T\" +1: Lead WHERE a = 'open\nSCORE";
        let Err(RulesError::TextView { problems }) = RuleModel::from_text(text) else {
            panic!("the text should not read");
        };
        let listed: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            listed,
            [
                "line 1: expected contact or account, found the end of the line",
                "line 3: `9` is not a range: write min..max (either may be left out)",
                "line 4: expected a comparison (=, !=, <, IN, CONTAINS, IS EMPTY, ...), found `~`",
                "line 5: unexpected text at the end, found `extra`",
                "line 6: a text's closing `'` is missing",
                "line 7: a line starts with MODEL, GRADES or RULE, found `SCORE`",
            ]
        );
    }

    #[test]
    fn a_text_that_reads_is_checked_like_any_model() {
        let e =
            RuleModel::from_text("MODEL \"M\" TARGET contact\nRULE \"R\" +x: Lead").unwrap_err();
        let RulesError::Invalid { problems } = &e else {
            panic!("{e:?}");
        };
        assert!(
            problems.iter().any(|p| p.path == "rules[0].points"),
            "{problems:?}"
        );
    }

    #[test]
    fn unquoted_values_are_typed() {
        assert_eq!(typed("500"), Value::Number(500.into()));
        assert_eq!(typed("-0.5"), Value::from(-0.5));
        assert_eq!(typed("true"), Value::Bool(true));
        assert_eq!(typed("inf"), Value::String("inf".into()));
        assert_eq!(typed("2026-01-01"), Value::String("2026-01-01".into()));
        assert_eq!(number("+5"), Value::Number(5.into()));
        assert_eq!(number("5.5"), Value::String("5.5".into()));
    }
}
