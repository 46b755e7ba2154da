//! The world of one chunk: its accounts, contacts and leads, with chunk-local
//! indices (the writer turns them into global ids), and the ground truth behind
//! them.

use crate::calendar::Calendar;
use crate::sample::{self, Rng};
use crate::vocab::{COUNTRIES, FIRST_NAMES, INDUSTRIES, LAST_NAMES, NAME_WORDS, SENIORITIES};
use crate::vocab::{DEPARTMENTS, TECH_STACKS, TIERS};
use crate::{behaviour, truth};

/// What every chunk shares: the seed's calendar and the as-of time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context {
    pub as_of: i64,
    pub calendar: Calendar,
}

/// A company.
#[derive(Debug, Clone)]
pub(crate) struct AccountRow {
    pub name: String,
    /// The stem of the company's mail domain.
    pub slug: String,
    pub industry: usize,
    /// The true size; written only when `employees_known`.
    pub employees: u32,
    pub employees_known: bool,
    pub annual_revenue: Option<u64>,
    pub country: usize,
    pub city: &'static str,
    pub tech: usize,
    pub tier: usize,
    /// 0 `first.last`, 1 `flast`, 2 `first`.
    pub email_style: u8,
    pub first_contact: u32,
    pub contacts: u32,
}

/// A person.
#[derive(Debug, Clone)]
pub(crate) struct ContactRow {
    pub account: Option<u32>,
    pub first: &'static str,
    pub last: &'static str,
    pub has_email: bool,
    /// For contacts without an account: which personal mail domain.
    pub personal_domain: u8,
    pub seniority: usize,
    pub title: &'static str,
    pub department: usize,
    pub country: usize,
    pub city: &'static str,
    pub visitor: Option<u32>,
    pub language: Option<&'static str>,
    pub opted_in: bool,
}

/// How a lead's status is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// Open; `written` says whether the cell holds `open` or is empty.
    Open {
        written: bool,
    },
    Qualified,
    Disqualified,
}

/// A lead and its hidden truth.
#[derive(Debug, Clone)]
pub(crate) struct LeadRow {
    pub contact: Option<u32>,
    pub account: Option<u32>,
    pub created: i64,
    pub source: usize,
    pub topic: usize,
    pub product: usize,
    pub budget: usize,
    pub status: Status,
    pub closed: Option<i64>,
    pub reason: Option<&'static str>,
    /// The calendar event the lead came from (webinar and event leads).
    pub origin_event: Option<i64>,
    /// When the lead's active period ends: its close, or when it would close.
    pub horizon: i64,
    /// Latent engagement: drives behaviour and the outcome.
    pub engagement: f64,
    /// The outcome, also drawn for leads still open.
    pub qualified: bool,
    /// The true log-odds without the unobserved noise (tests only read it).
    #[cfg_attr(not(test), allow(dead_code, reason = "read by tests only"))]
    pub truth: f64,
}

/// The standard kinds and the custom one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    EmailOpened,
    EmailClicked,
    FormSubmitted,
    WebsiteVisited,
    EventRegistered,
    EventAttended,
    PricingPageViewed,
}

/// The property cells of an interaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Prop {
    /// An email of the campaign of week `w`.
    Campaign(i64),
    /// A click in the campaign of week `w` on page `p`.
    Click(i64, u16),
    /// A page of the site.
    Page(u16),
    /// A form.
    Form(u16),
    /// A pricing page.
    Pricing(u16),
    /// Calendar event `k`.
    Event(i64),
}

/// One interaction; `contact`, `lead` and `visitor` are chunk-local.
#[derive(Debug, Clone)]
pub(crate) struct InteractionRow {
    pub at: i64,
    pub kind: Kind,
    pub contact: Option<u32>,
    pub lead: Option<u32>,
    pub visitor: Option<u32>,
    pub prop: Prop,
}

/// One record of the custom `Meeting` entity.
#[derive(Debug, Clone)]
pub(crate) struct MeetingRow {
    pub lead: u32,
    pub kind: usize,
    pub held: i64,
    pub outcome: usize,
    pub minutes: u32,
}

/// Everything one chunk writes.
#[derive(Debug, Default)]
pub(crate) struct Chunk {
    pub accounts: Vec<AccountRow>,
    pub contacts: Vec<ContactRow>,
    pub leads: Vec<LeadRow>,
    pub interactions: Vec<InteractionRow>,
    pub meetings: Vec<MeetingRow>,
    /// Visitor ids used (contacts' and anonymous ones).
    pub visitors: u32,
}

/// What a lead hangs off.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Parent {
    Contact(u32),
    Account(u32),
    None,
}

/// Generates chunk `index` with `leads` leads: a function of the seed, the
/// chunk index and the lead count only.
pub(crate) fn generate_chunk(ctx: &Context, seed: u64, index: u64, leads: u64) -> Chunk {
    let mut rng = sample::chunk_rng(seed, index);
    let n = usize::try_from(leads).unwrap_or(usize::MAX);
    let mut chunk = Chunk::default();

    // What each lead hangs off: 2% nothing, 10% an account, the rest a contact.
    let kinds: Vec<u8> = (0..n)
        .map(|_| {
            let u = sample::unit(&mut rng);
            if u < 0.02 {
                0
            } else if u < 0.12 {
                1
            } else {
                2
            }
        })
        .collect();
    let contact_leads = kinds.iter().filter(|k| **k == 2).count();
    let account_leads = kinds.iter().filter(|k| **k == 1).count();
    let owners = populate(&mut rng, &mut chunk, contact_leads, account_leads > 0, n);

    let mut owners = owners;
    let accounts = chunk.accounts.len();
    let on_account = |rng: &mut Rng| {
        if accounts == 0 {
            Parent::None
        } else {
            Parent::Account(sample::index(rng, accounts) as u32)
        }
    };
    let mut parents = Vec::with_capacity(n);
    for kind in kinds {
        let parent = match kind {
            2 => match owners.pop() {
                Some(c) => Parent::Contact(c),
                None => on_account(&mut rng),
            },
            1 => on_account(&mut rng),
            _ => Parent::None,
        };
        parents.push(parent);
    }

    for parent in parents {
        let lead = truth::draw_lead(&mut rng, ctx, &chunk, parent);
        chunk.leads.push(lead);
    }
    chunk.leads.sort_by_key(|l| l.created);

    behaviour::simulate(&mut rng, ctx, &mut chunk, n);
    chunk.interactions.sort_by_key(|i| i.at);
    chunk
}

/// Creates accounts and their contacts until there are `contact_leads` lead
/// slots on contacts; returns the contact of each slot. Keeps at most `n / 2`
/// accounts (at least 1) and `2 n` contacts, which the id widths rely on.
fn populate(
    rng: &mut Rng,
    chunk: &mut Chunk,
    contact_leads: usize,
    need_account: bool,
    n: usize,
) -> Vec<u32> {
    let max_accounts = (n / 2).max(1);
    let max_contacts = 2 * n.max(1);
    let mut owners: Vec<u32> = Vec::with_capacity(contact_leads + 8);
    while owners.len() < contact_leads || (need_account && chunk.accounts.is_empty()) {
        let full = chunk.accounts.len() >= max_accounts || chunk.contacts.len() >= max_contacts;
        if full {
            if chunk.contacts.is_empty() {
                break;
            }
            let c = sample::index(rng, chunk.contacts.len()) as u32;
            owners.push(c);
            continue;
        }
        if sample::chance(rng, 0.07) && !(need_account && chunk.accounts.is_empty()) {
            let c = new_contact(rng, chunk, None);
            let m = if sample::chance(rng, 0.85) { 1 } else { 2 };
            owners.extend(std::iter::repeat_n(c, m));
            continue;
        }
        let a = new_account(rng, chunk);
        let size = f64::from(chunk.accounts[a as usize].employees);
        let extra = sample::poisson(rng, 0.3 + 0.55 * (size + 1.0).log10());
        let count = (1 + extra).min((max_contacts - chunk.contacts.len()).max(1) as u32);
        chunk.accounts[a as usize].first_contact = chunk.contacts.len() as u32;
        chunk.accounts[a as usize].contacts = count;
        for _ in 0..count {
            let c = new_contact(rng, chunk, Some(a));
            let m = sample::weighted(rng, &[0.3, 0.5, 0.14, 0.06]);
            owners.extend(std::iter::repeat_n(c, m));
        }
    }
    owners.truncate(contact_leads);
    sample::shuffle(rng, &mut owners);
    owners
}

fn new_account(rng: &mut Rng, chunk: &mut Chunk) -> u32 {
    let industry = sample::weighted(rng, &INDUSTRIES.map(|i| i.weight));
    let country = sample::weighted(rng, &COUNTRIES.map(|c| c.weight));
    let cities = COUNTRIES[country].cities;
    let city = cities[sample::index(rng, cities.len())];
    let raw = sample::log_normal(rng, 110.0, 1.7).clamp(1.0, 350_000.0);
    let employees = round_like_a_crm(rng, raw);
    let per_employee = INDUSTRIES[industry].revenue_per_employee_k * 1_000.0;
    let revenue = f64::from(employees) * sample::log_normal(rng, per_employee, 0.45);
    let annual_revenue =
        sample::chance(rng, 0.85).then(|| ((revenue / 1_000.0).round() as u64).max(10) * 1_000);
    let tier_weights = TIERS.map(|t| t.1);
    let mut tier = sample::weighted(rng, &tier_weights);
    if tier == 0 && employees > 2_000 && sample::chance(rng, 0.1) {
        tier = 1;
    }
    let (name, slug) = company_name(rng, industry, country);
    chunk.accounts.push(AccountRow {
        name,
        slug,
        industry,
        employees,
        employees_known: sample::chance(rng, 0.93),
        annual_revenue,
        country,
        city,
        tech: sample::weighted(rng, &TECH_STACKS.map(|t| t.1)),
        tier,
        email_style: sample::weighted(rng, &[0.7, 0.2, 0.1]) as u8,
        first_contact: 0,
        contacts: 0,
    });
    (chunk.accounts.len() - 1) as u32
}

/// Employee counts as people type them: big ones rounded to two digits.
fn round_like_a_crm(rng: &mut Rng, raw: f64) -> u32 {
    let value = raw.round().max(1.0);
    if value >= 100.0 && sample::chance(rng, 0.6) {
        let scale = 10f64.powi(value.log10().floor() as i32 - 1);
        return ((value / scale).round() * scale) as u32;
    }
    value as u32
}

fn company_name(rng: &mut Rng, industry: usize, country: usize) -> (String, String) {
    let word = NAME_WORDS[sample::index(rng, NAME_WORDS.len())];
    let words = INDUSTRIES[industry].words;
    let noun = words[sample::index(rng, words.len())];
    let last = |rng: &mut Rng| LAST_NAMES[sample::index(rng, LAST_NAMES.len())];
    let core = match sample::weighted(rng, &[0.55, 0.2, 0.17, 0.08]) {
        0 => format!("{word} {noun}"),
        1 => word.to_owned(),
        2 => format!("{} & {} {noun}", last(rng), last(rng)),
        _ => format!("{}, {} & {}", last(rng), last(rng), last(rng)),
    };
    let slug = fold_ascii(&core);
    let suffixes = COUNTRIES[country].suffixes;
    let name = if sample::chance(rng, 0.5) {
        let suffix = suffixes[sample::index(rng, suffixes.len())];
        if suffix.starts_with(',') {
            format!("{core}{suffix}")
        } else {
            format!("{core} {suffix}")
        }
    } else {
        core
    };
    (name, slug)
}

fn new_contact(rng: &mut Rng, chunk: &mut Chunk, account: Option<u32>) -> u32 {
    let acc = account.and_then(|a| chunk.accounts.get(a as usize));
    let mut weights = SENIORITIES.map(|s| s.weight);
    match acc {
        Some(a) if a.employees < 50 => weights[0] *= 3.0,
        Some(_) => {}
        None => {
            weights[4] *= 1.5;
            weights[5] *= 3.0;
        }
    }
    let seniority = sample::weighted(rng, &weights);
    let titles = SENIORITIES[seniority].titles;
    let title = titles[sample::index(rng, titles.len())];
    let department = sample::index(rng, DEPARTMENTS.len());
    let (country, city) = match acc {
        Some(a) if sample::chance(rng, 0.85) => (a.country, a.city),
        _ => {
            let c = sample::weighted(rng, &COUNTRIES.map(|c| c.weight));
            let cities = COUNTRIES[c].cities;
            (c, cities[sample::index(rng, cities.len())])
        }
    };
    let language = match sample::weighted(rng, &[0.85, 0.1, 0.05]) {
        0 => Some(COUNTRIES[country].language),
        1 => Some("English"),
        _ => None,
    };
    let visitor = sample::chance(rng, 0.4).then(|| {
        chunk.visitors += 1;
        chunk.visitors - 1
    });
    chunk.contacts.push(ContactRow {
        account,
        first: FIRST_NAMES[sample::index(rng, FIRST_NAMES.len())],
        last: LAST_NAMES[sample::index(rng, LAST_NAMES.len())],
        has_email: sample::chance(rng, 0.96),
        personal_domain: sample::index(rng, 3) as u8,
        seniority,
        title,
        department,
        country,
        city,
        visitor,
        language,
        opted_in: sample::chance(rng, 0.9),
    });
    (chunk.contacts.len() - 1) as u32
}

/// Lower-case ASCII letters and digits of `text`, accents folded
/// (`Müller & Søn` → `mullerson`).
pub(crate) fn fold_ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'Á' | 'Ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'É' => 'e',
            'í' | 'ì' | 'î' | 'ï' | 'ı' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' | 'Ö' => 'o',
            'ú' | 'ù' | 'û' | 'ü' | 'Ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            'ß' => 's',
            other => other,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}
