//! `describe_feature`: feature names as plain sentences.

use leadscore_report::describe_feature;

#[test]
fn numeric_features_read_with_more() {
    assert_eq!(
        describe_feature("email_clicks_30d", 0.8),
        "Leads with more email clicks in the last 30 days are more likely to convert"
    );
    assert_eq!(
        describe_feature("employees", -0.2),
        "Leads with more employees are less likely to convert"
    );
    assert_eq!(
        describe_feature("employees", 0.0),
        "Leads with more employees are neither more nor less likely to convert"
    );
    assert_eq!(
        describe_feature("web_visits_1d", 0.1),
        "Leads with more web visits in the last day are more likely to convert"
    );
    assert_eq!(
        describe_feature("form_fills_2w", 0.1),
        "Leads with more form fills in the last 2 weeks are more likely to convert"
    );
    assert_eq!(
        describe_feature("n_meetings", 0.1),
        "Leads with more meetings are more likely to convert"
    );
    assert_eq!(
        describe_feature("meetings_count", 0.1),
        "Leads with more meetings are more likely to convert"
    );
}

#[test]
fn categorical_indicators_read_whose_is() {
    assert_eq!(
        describe_feature("industry=Software", 0.5),
        "Leads whose industry is Software are more likely to convert"
    );
    assert_eq!(
        describe_feature("lead_source=Web form", -0.5),
        "Leads whose lead source is Web form are less likely to convert"
    );
    assert_eq!(
        describe_feature("industry=__missing__", -0.5),
        "Leads whose industry is not recorded are less likely to convert"
    );
    assert_eq!(
        describe_feature("industry=__other__", 0.5),
        "Leads whose industry is a less common value are more likely to convert"
    );
    assert_eq!(
        describe_feature("source=Event: booth", 0.5),
        "Leads whose source is Event: booth are more likely to convert"
    );
    // Only the first `=` splits: the value keeps the rest.
    assert_eq!(
        describe_feature("plan=a=b", 0.5),
        "Leads whose plan is a=b are more likely to convert"
    );
}

#[test]
fn encoder_suffixes_read_as_words() {
    assert_eq!(
        describe_feature("employees:missing", -0.1),
        "Leads with no recorded employees are less likely to convert"
    );
    assert_eq!(
        describe_feature("employees:[10,50)", 0.1),
        "Leads with employees from 10 to under 50 are more likely to convert"
    );
    assert_eq!(
        describe_feature("employees:>=500", 0.1),
        "Leads with employees of 500 or more are more likely to convert"
    );
}

#[test]
fn flags_and_odd_names() {
    assert_eq!(
        describe_feature("is_decision_maker", 0.3),
        "Leads marked as decision maker are more likely to convert"
    );
    assert_eq!(
        describe_feature("has_budget", 0.3),
        "Leads that have budget are more likely to convert"
    );
    assert_eq!(
        describe_feature("", 0.3),
        "Leads with more of this feature are more likely to convert"
    );
    assert_eq!(
        describe_feature("=x", 0.3),
        "Leads whose value is x are more likely to convert"
    );
    // A number that is not a number has no direction.
    assert_eq!(
        describe_feature("visits_é", f64::NAN),
        "Leads with more visits é are neither more nor less likely to convert"
    );
}
