//! The hidden ground truth: a lead's fields, its latent engagement, and whether
//! and when it closes, qualified or not.
//!
//! The log-odds of qualification are
//! `BASE + fit + ENGAGEMENT_WEIGHT * engagement + noise`, where `fit` sums the
//! effects (vocab.rs) of what the files show (industry, size, tier, tech stack,
//! seniority, department, source, product, budget band). Engagement is never
//! written but drives behaviour (interactions, meetings), so behaviour is a noisy
//! view of it. The noise is seen by nobody. Converting leads also show a burst
//! of buying signals before they close.

use crate::calendar::{DAY, HOUR, office_hours};
use crate::sample::{self, Rng};
use crate::vocab::{
    BUDGETS, DEPARTMENTS, DISQUALIFY_REASONS, INDUSTRIES, PRODUCTS, REASON_NO_BUDGET,
    REASON_NO_RESPONSE, REASON_NOT_A_FIT, SENIORITIES, SOURCE_EVENT, SOURCE_WEBINAR, SOURCES,
    TECH_STACKS, TIERS, TOPICS,
};
use crate::world::{AccountRow, Chunk, Context, LeadRow, Parent, Status};

/// Log-odds of a lead with no effects at all.
const BASE: f64 = -2.0;
/// How much one standard deviation of engagement moves the log-odds.
const ENGAGEMENT_WEIGHT: f64 = 1.1;
/// Spread of the unobserved part of the log-odds.
const NOISE: f64 = 1.2;
/// The typical fit, around which engagement leans toward fit.
const FIT_CENTER: f64 = 0.3;
/// How far back leads are created.
pub(crate) const HISTORY: i64 = 730 * DAY;

/// The effect of company size: tiny companies rarely buy, mid-market most.
fn size_effect(employees: u32) -> f64 {
    match employees {
        0..10 => -0.8,
        10..50 => -0.25,
        50..1_000 => 0.35,
        1_000..10_000 => 0.3,
        _ => 0.0,
    }
}

/// The budget band a lead states, from the company's size.
fn budget_band(rng: &mut Rng, account: Option<&AccountRow>) -> usize {
    if sample::chance(rng, 0.3) {
        return BUDGETS.len() - 1;
    }
    let size = account.map_or(1.3, |a| f64::from(a.employees).log10());
    let z = 0.6 * (size - 2.0) + 0.8 * sample::normal(rng);
    match z {
        z if z < -0.6 => 0,
        z if z < 0.3 => 1,
        z if z < 1.1 => 2,
        _ => 3,
    }
}

/// Draws one lead hanging off `parent`.
pub(crate) fn draw_lead(rng: &mut Rng, ctx: &Context, chunk: &Chunk, parent: Parent) -> LeadRow {
    let (contact_id, account_id) = match parent {
        Parent::Contact(c) => {
            let account = chunk.contacts.get(c as usize).and_then(|c| c.account);
            // The lead usually, not always, names the contact's account too.
            (Some(c), account.filter(|_| sample::chance(rng, 0.9)))
        }
        Parent::Account(a) => (None, Some(a)),
        Parent::None => (None, None),
    };
    let contact = contact_id.and_then(|c| chunk.contacts.get(c as usize));
    let account = match parent {
        Parent::Contact(_) => contact.and_then(|c| c.account),
        _ => account_id,
    }
    .and_then(|a| chunk.accounts.get(a as usize));

    let mut source_weights = SOURCES.map(|s| s.1);
    if matches!(parent, Parent::Account(_)) {
        source_weights[0] *= 0.5; // Web
        source_weights[5] *= 2.0; // Partner
        source_weights[6] *= 2.0; // Cold Outreach
    }
    let source = sample::weighted(rng, &source_weights);
    let product = sample::weighted(rng, &[0.3, 0.25, 0.2, 0.15, 0.1]);
    let budget = budget_band(rng, account);

    let mut fit = SOURCES[source].2 + PRODUCTS[product].1 + BUDGETS[budget].1;
    if let Some(a) = account {
        fit += INDUSTRIES[a.industry].effect
            + size_effect(a.employees)
            + TIERS[a.tier].2
            + TECH_STACKS[a.tech].2;
    }
    if let Some(c) = contact {
        fit += SENIORITIES[c.seniority].effect + DEPARTMENTS[c.department].1;
    }
    let engagement = 0.3 * (fit - FIT_CENTER) + 0.95 * sample::normal(rng);
    let truth = BASE + fit + ENGAGEMENT_WEIGHT * engagement;
    let unobserved = NOISE * sample::normal(rng);
    let qualified = sample::chance(rng, sample::sigmoid(truth + unobserved));

    // Created over the last two years, more of them recently.
    let x = if sample::chance(rng, 0.35) {
        sample::unit(rng).max(sample::unit(rng))
    } else {
        sample::unit(rng)
    };
    let mut created = office_hours(rng, ctx.as_of - HISTORY + (x * HISTORY as f64) as i64);
    let mut origin_event = None;
    if source == SOURCE_WEBINAR || source == SOURCE_EVENT {
        let webinar = source == SOURCE_WEBINAR;
        if let Some(k) = ctx.calendar.event_before(created - DAY, webinar) {
            origin_event = Some(k);
            let after = (1.0 + sample::exponential(rng, 1.5)) * DAY as f64;
            created = office_hours(rng, ctx.calendar.event_time(k) + after as i64)
                .max(ctx.calendar.event_time(k) + HOUR);
        }
    }
    created = created.min(ctx.as_of - 60);

    let reason = disqualify_reason(rng, engagement, budget, fit, contact.map(|c| c.seniority));
    let median_days = match (qualified, reason) {
        (true, _) => 18.0,
        (false, Some(r)) if r == DISQUALIFY_REASONS[REASON_NO_RESPONSE] => 45.0,
        _ => 28.0,
    };
    let delay = sample::log_normal(rng, median_days * DAY as f64, 0.85) as i64;
    let stale = sample::chance(rng, 0.04);
    let close = office_hours(rng, created + delay).max(created + HOUR);
    let closed = (!stale && close <= ctx.as_of).then_some(close);
    let status = match (closed, qualified) {
        (None, _) => Status::Open {
            written: sample::chance(rng, 0.6),
        },
        (Some(_), true) => Status::Qualified,
        (Some(_), false) => Status::Disqualified,
    };
    LeadRow {
        contact: contact_id,
        account: account_id,
        created,
        source,
        topic: sample::index(rng, TOPICS.len()),
        product,
        budget,
        status,
        closed,
        reason: if status == Status::Disqualified {
            reason
        } else {
            None
        },
        origin_event,
        horizon: if stale { created + 120 * DAY } else { close },
        engagement,
        qualified,
        truth,
    }
}

/// Why a lead would be disqualified: unengaged leads stop answering, small
/// budgets have none, poor fits are not a fit; a few have no reason recorded.
fn disqualify_reason(
    rng: &mut Rng,
    engagement: f64,
    budget: usize,
    fit: f64,
    seniority: Option<usize>,
) -> Option<&'static str> {
    if sample::chance(rng, 0.06) {
        return None;
    }
    let mut weights = [1.0, 1.0, 0.7, 0.8, 0.6, 0.15];
    weights[REASON_NO_RESPONSE] *= 1.0 + 2.0 * (-engagement).max(0.0);
    if budget == 0 {
        weights[REASON_NO_BUDGET] *= 2.5;
    }
    if fit < -0.5 || seniority == Some(5) {
        weights[REASON_NOT_A_FIT] *= 2.5;
    }
    Some(DISQUALIFY_REASONS[sample::weighted(rng, &weights)])
}
