//! Behaviour: the interactions and meetings of a chunk, driven by each lead's
//! latent engagement, its timeline and its (hidden) outcome.

use crate::calendar::{DAY, HOUR, MINUTE, office_hours};
use crate::sample::{self, Rng};
use crate::truth::HISTORY;
use crate::vocab::{FORM_CONTACT_SALES, FORM_DEMO, PAGES, PRICING_PAGES};
use crate::vocab::{SOURCE_EVENT, SOURCE_PAID_SEARCH, SOURCE_WEB, SOURCE_WEBINAR};
use crate::world::{Chunk, Context, InteractionRow, Kind, LeadRow, MeetingRow, Prop};

/// Interaction slots of an average lead (each slot is one to a few interactions).
const SLOTS_PER_LEAD: f64 = 4.2;

/// The chunk's behaviour, appended to `chunk.interactions` and `chunk.meetings`.
pub(crate) struct Sim<'a> {
    rng: &'a mut Rng,
    ctx: &'a Context,
    out: Vec<InteractionRow>,
    /// Interactions before this time name no lead (the current lead's creation).
    tag_from: i64,
}

/// Simulates the behaviour of every lead of the chunk, of the contacts with no
/// lead, and of anonymous visitors.
pub(crate) fn simulate(rng: &mut Rng, ctx: &Context, chunk: &mut Chunk, n_leads: usize) {
    let mut sim = Sim {
        rng,
        ctx,
        out: Vec::with_capacity(n_leads * 11),
        tag_from: i64::MAX,
    };
    let mut meetings = Vec::new();
    let mut has_lead = vec![false; chunk.contacts.len()];
    for (i, lead) in chunk.leads.iter().enumerate() {
        let actors: Vec<u32> = match (lead.contact, lead.account) {
            (Some(c), _) => vec![c],
            (None, Some(a)) => chunk
                .accounts
                .get(a as usize)
                .map(|a| (a.first_contact..a.first_contact + a.contacts).collect())
                .unwrap_or_default(),
            (None, None) => Vec::new(),
        };
        if actors.is_empty() {
            continue;
        }
        for &c in &actors {
            if let Some(flag) = has_lead.get_mut(c as usize) {
                *flag = true;
            }
        }
        sim.lead(chunk, i as u32, lead, &actors);
        sim.meetings(i as u32, lead, &mut meetings);
    }
    for (c, contact) in chunk.contacts.iter().enumerate() {
        if !has_lead[c] {
            sim.background(chunk, c as u32, contact.opted_in);
        }
    }
    let contact_visitors = chunk.visitors;
    let anonymous = sample::poisson(sim.rng, 0.25 * n_leads as f64)
        .min((2 * n_leads as u32).saturating_sub(contact_visitors));
    for _ in 0..anonymous {
        let v = chunk.visitors;
        chunk.visitors += 1;
        sim.anonymous(v);
    }
    chunk.interactions = sim.out;
    chunk.meetings = meetings;
}

impl Sim<'_> {
    /// Records an interaction unless it lies after the as-of time. Web visits
    /// of a contact with a visitor id are mostly known by that id only.
    fn emit(
        &mut self,
        chunk: &Chunk,
        contact: u32,
        at: i64,
        kind: Kind,
        lead: Option<u32>,
        prop: Prop,
    ) {
        if at > self.ctx.as_of {
            return;
        }
        let lead = lead.filter(|_| at >= self.tag_from);
        let visitor = chunk.contacts.get(contact as usize).and_then(|c| c.visitor);
        let web = matches!(kind, Kind::WebsiteVisited | Kind::PricingPageViewed);
        let (contact, lead, visitor) = match visitor {
            Some(v) if web => match sample::weighted(self.rng, &[0.65, 0.15, 0.2]) {
                0 => (None, None, Some(v)),
                1 => (Some(contact), lead, Some(v)),
                _ => (Some(contact), lead, None),
            },
            _ => (Some(contact), lead, None),
        };
        self.out.push(InteractionRow {
            at,
            kind,
            contact,
            lead,
            visitor,
            prop,
        });
    }

    fn pick(&mut self, actors: &[u32]) -> u32 {
        actors[sample::index(self.rng, actors.len())]
    }

    /// A page, more often a buying page the more engaged the visitor is.
    fn page(&mut self, engagement: f64) -> u16 {
        let tilt = 0.9 * engagement + 0.2;
        let weights = PAGES.map(|(_, intent)| (tilt * intent).exp());
        sample::weighted(self.rng, &weights) as u16
    }

    /// A visit of one or a few pages, minutes apart.
    fn visit(&mut self, chunk: &Chunk, c: u32, at: i64, e: f64, lead: Option<u32>) {
        let pages = 1 + sample::poisson(self.rng, 0.4 * (0.3 * e).exp());
        let mut t = at;
        for _ in 0..pages {
            let p = self.page(e);
            self.emit(chunk, c, t, Kind::WebsiteVisited, lead, Prop::Page(p));
            t += 20 + sample::exponential(self.rng, 150.0) as i64;
        }
    }

    /// Opening a campaign email sent before `at`, perhaps clicking in it.
    fn email(&mut self, chunk: &Chunk, c: u32, at: i64, e: f64, lead: Option<u32>) {
        let opted_in = chunk.contacts.get(c as usize).is_some_and(|c| c.opted_in);
        if !opted_in {
            return self.visit(chunk, c, at, e, lead);
        }
        let w = self.ctx.calendar.campaign_before(at);
        let sent = self.ctx.calendar.send_time(w);
        let opened = sent + 60 + sample::exponential(self.rng, 10.0 * HOUR as f64) as i64;
        self.emit(chunk, c, opened, Kind::EmailOpened, lead, Prop::Campaign(w));
        if sample::chance(self.rng, 0.15) {
            let again = opened + sample::exponential(self.rng, DAY as f64) as i64;
            self.emit(chunk, c, again, Kind::EmailOpened, lead, Prop::Campaign(w));
        }
        if sample::chance(self.rng, sample::sigmoid(-1.3 + 0.7 * e)) {
            let clicked = opened + 10 + sample::exponential(self.rng, 180.0) as i64;
            let p = self.page(e);
            self.emit(
                chunk,
                c,
                clicked,
                Kind::EmailClicked,
                lead,
                Prop::Click(w, p),
            );
        }
    }

    /// Registering for an upcoming event, perhaps attending it.
    fn event(&mut self, chunk: &Chunk, c: u32, at: i64, e: f64, lead: Option<u32>) {
        let webinar = sample::chance(self.rng, 0.8);
        let k = self.ctx.calendar.event_after(at + 2 * DAY, webinar);
        self.emit(chunk, c, at, Kind::EventRegistered, lead, Prop::Event(k));
        if sample::chance(self.rng, sample::sigmoid(0.1 + 0.8 * e)) {
            let start = self.ctx.calendar.event_time(k);
            let joined =
                start - 5 * MINUTE + sample::exponential(self.rng, 6.0 * MINUTE as f64) as i64;
            self.emit(chunk, c, joined, Kind::EventAttended, lead, Prop::Event(k));
        }
    }

    /// A form: buying forms for the engaged, content forms otherwise.
    fn form(&mut self, chunk: &Chunk, c: u32, at: i64, e: f64, lead: Option<u32>) {
        let buying = sample::chance(self.rng, sample::sigmoid(-1.5 + e));
        let form = if buying {
            if sample::chance(self.rng, 0.6) {
                FORM_DEMO
            } else {
                FORM_CONTACT_SALES
            }
        } else {
            [0, 2, 3, 4][sample::index(self.rng, 4)]
        };
        let before = 90 + sample::exponential(self.rng, 240.0) as i64;
        self.visit(chunk, c, at - before, e, None);
        self.emit(chunk, c, at, Kind::FormSubmitted, lead, Prop::Form(form));
    }

    fn pricing(&mut self, chunk: &Chunk, c: u32, at: i64, lead: Option<u32>) {
        let p = sample::index(self.rng, PRICING_PAGES.len()) as u16;
        self.emit(
            chunk,
            c,
            at,
            Kind::PricingPageViewed,
            lead,
            Prop::Pricing(p),
        );
    }

    /// The whole history of one lead: how it came in, its activity before,
    /// during and after its open period, and a burst before it converts.
    fn lead(&mut self, chunk: &Chunk, i: u32, lead: &LeadRow, actors: &[u32]) {
        let e = lead.engagement;
        let created = lead.created;
        self.tag_from = created;
        let end = lead.horizon.max(created + HOUR);
        let first = self.pick(actors);
        let source = lead.source;
        if source == SOURCE_WEB || source == SOURCE_PAID_SEARCH {
            let (form, visit_e) = if sample::chance(self.rng, 0.5) {
                (FORM_DEMO, e + 1.0)
            } else {
                (0, e)
            };
            let before = 120 + sample::exponential(self.rng, 300.0) as i64;
            self.visit(chunk, first, created - before, visit_e, None);
            self.emit(
                chunk,
                first,
                created,
                Kind::FormSubmitted,
                Some(i),
                Prop::Form(form),
            );
        } else if let Some(k) = lead.origin_event {
            let start = self.ctx.calendar.event_time(k);
            let registered = start - HOUR - sample::exponential(self.rng, 6.0 * DAY as f64) as i64;
            self.emit(
                chunk,
                first,
                registered,
                Kind::EventRegistered,
                None,
                Prop::Event(k),
            );
            let joined =
                start - 5 * MINUTE + sample::exponential(self.rng, 6.0 * MINUTE as f64) as i64;
            self.emit(
                chunk,
                first,
                joined,
                Kind::EventAttended,
                None,
                Prop::Event(k),
            );
        } else if source == SOURCE_WEBINAR || source == SOURCE_EVENT {
            self.event(chunk, first, created - 3 * DAY, e, None);
        }

        let days = (end - created) as f64 / DAY as f64;
        let length = (days / 30.0).powf(0.35).clamp(0.6, 1.8);
        let slots = sample::poisson(self.rng, SLOTS_PER_LEAD * (0.55 * e).exp() * length);
        let after_mean = if lead.qualified { 40.0 } else { 15.0 } * DAY as f64;
        let pricing_weight = 0.04 * (0.7 * e).exp();
        for _ in 0..slots {
            let phase = sample::weighted(self.rng, &[0.22, 0.66, 0.12]);
            let raw = match phase {
                0 => created - HOUR - sample::exponential(self.rng, 20.0 * DAY as f64) as i64,
                1 => created + (sample::unit(self.rng) * (end - created) as f64) as i64,
                _ => end + sample::exponential(self.rng, after_mean) as i64,
            };
            let at = office_hours(self.rng, raw);
            let during = phase == 1 && at >= created && sample::chance(self.rng, 0.5);
            let tag = during.then_some(i);
            let c = self.pick(actors);
            match sample::weighted(self.rng, &[0.5, 0.25, 0.05, 0.08, pricing_weight]) {
                0 => self.email(chunk, c, at, e, tag),
                1 => self.visit(chunk, c, at, e, tag),
                2 => self.form(chunk, c, at, e, tag),
                3 => self.event(chunk, c, at, e, tag),
                _ => self.pricing(chunk, c, at, tag),
            }
        }

        if lead.qualified {
            let burst = sample::poisson(self.rng, 1.0);
            for _ in 0..burst {
                let back = sample::exponential(self.rng, 4.0 * DAY as f64) as i64;
                let at = (end - back).max(created + MINUTE);
                let c = self.pick(actors);
                match sample::weighted(self.rng, &[0.45, 0.35, 0.2]) {
                    0 => self.pricing(chunk, c, at, Some(i)),
                    1 => {
                        let p = [13, 14, 15][sample::index(self.rng, 3)];
                        self.emit(chunk, c, at, Kind::WebsiteVisited, None, Prop::Page(p));
                    }
                    _ => self.emit(
                        chunk,
                        c,
                        at,
                        Kind::FormSubmitted,
                        Some(i),
                        Prop::Form(FORM_CONTACT_SALES),
                    ),
                }
            }
        }
    }

    /// Discovery, then demo, then pricing meetings while the lead is open.
    fn meetings(&mut self, i: u32, lead: &LeadRow, out: &mut Vec<MeetingRow>) {
        let e = lead.engagement;
        let end = lead.horizon;
        let q = if lead.qualified { 1.0 } else { 0.0 };
        let chances = [
            sample::sigmoid(-0.6 + 1.1 * e),
            sample::sigmoid(-0.4 + 0.9 * e + 0.5 * q),
            0.15 + 0.2 * q,
        ];
        let mut at = lead.created;
        for (kind, p) in chances.into_iter().enumerate() {
            if !sample::chance(self.rng, p) {
                break;
            }
            // Each meeting takes a share of the time left before the close.
            let share = 0.15 + 0.4 * sample::unit(self.rng);
            let next = at + HOUR + (share * (end - at) as f64) as i64;
            at = office_hours(self.rng, next).max(at + HOUR);
            if at >= end || at > self.ctx.as_of {
                break;
            }
            let no_show = sample::sigmoid(-2.4 - 0.8 * e);
            let outcome = sample::weighted(self.rng, &[1.0 - no_show - 0.05, no_show, 0.05]);
            let minutes = match kind {
                0 => 30,
                1 => [45, 60][sample::index(self.rng, 2)],
                _ => [30, 45][sample::index(self.rng, 2)],
            };
            out.push(MeetingRow {
                lead: i,
                kind,
                held: at,
                outcome,
                minutes,
            });
        }
    }

    /// A contact with no lead of its own: newsletters and the odd visit.
    fn background(&mut self, chunk: &Chunk, c: u32, opted_in: bool) {
        let events = sample::poisson(self.rng, 1.5);
        for _ in 0..events {
            let raw = self.ctx.as_of - (sample::unit(self.rng) * HISTORY as f64) as i64;
            let at = office_hours(self.rng, raw);
            let e = -0.5 + 0.5 * sample::normal(self.rng);
            if opted_in && sample::chance(self.rng, 0.6) {
                self.email(chunk, c, at, e, None);
            } else {
                self.visit(chunk, c, at, e, None);
            }
        }
    }

    /// A visitor no contact lists: a few visits, known only by the visitor id.
    fn anonymous(&mut self, v: u32) {
        let sessions = 1 + sample::poisson(self.rng, 1.2);
        for _ in 0..sessions {
            let raw = self.ctx.as_of - (sample::unit(self.rng) * HISTORY as f64) as i64;
            let mut at = raw;
            let pages = 1 + sample::poisson(self.rng, 0.5);
            for _ in 0..pages {
                if at > self.ctx.as_of {
                    break;
                }
                let (kind, prop) = if sample::chance(self.rng, 0.05) {
                    (Kind::PricingPageViewed, Prop::Pricing(0))
                } else {
                    (Kind::WebsiteVisited, Prop::Page(self.page(-0.5)))
                };
                self.out.push(InteractionRow {
                    at,
                    kind,
                    contact: None,
                    lead: None,
                    visitor: Some(v),
                    prop,
                });
                at += 20 + sample::exponential(self.rng, 120.0) as i64;
            }
        }
    }
}
