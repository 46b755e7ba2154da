//! The CSV files: headers, and each chunk's rows with global ids.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::GenerateError;
use crate::calendar::Calendar;
use crate::config::Widths;
use crate::format::{Row, write_u64};
use crate::vocab::{
    BUDGETS, COUNTRIES, CUSTOM_KIND, DEPARTMENTS, FORMS, INDUSTRIES, MEETING_OUTCOMES,
    MEETING_TYPES, PAGES, PERSONAL_DOMAINS, PRICING_PAGES, PRODUCTS, SITE, SOURCES, TECH_STACKS,
    TIERS, TOPICS,
};
use crate::world::{AccountRow, Chunk, ContactRow, Kind, Prop, Status};

/// The files written, relative to the output folder, with their header rows.
pub(crate) const FILES: [(&str, &str); 5] = [
    (
        "accounts.csv",
        "account_id,name,industry,employees,annual_revenue,country,city,tech_stack,customer_tier",
    ),
    (
        "contacts.csv",
        "contact_id,account_id,first_name,last_name,email,job_title,city,country,visitor_id,preferred_language,email_opt_in",
    ),
    (
        "leads.csv",
        "lead_id,created_at,contact_id,account_id,topic,source,status,closed_at,disqualify_reason,budget_band,product_interest",
    ),
    (
        "interactions.csv",
        "interaction_id,kind,occurred_at,contact_id,lead_id,visitor_id,email_name,url,event_name",
    ),
    (
        "custom/Meeting.csv",
        "record_id,lead_id,meeting_type,held_at,outcome,duration_minutes",
    ),
];

/// How many of each record were written before the current chunk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub accounts: u64,
    pub contacts: u64,
    pub leads: u64,
    pub interactions: u64,
    pub meetings: u64,
    pub visitors: u64,
}

/// Writes the five files of one run, chunk after chunk.
pub(crate) struct Writer {
    files: Vec<(PathBuf, BufWriter<File>)>,
    buf: Vec<u8>,
    text: String,
    counts: Counts,
    widths: Widths,
    calendar: Calendar,
}

fn opt(value: &str) -> Option<&str> {
    (!value.is_empty()).then_some(value)
}

impl Writer {
    /// Creates the files in `dir` and writes their headers.
    pub(crate) fn create(
        dir: &Path,
        widths: Widths,
        calendar: Calendar,
    ) -> Result<Self, GenerateError> {
        let custom = dir.join("custom");
        fs::create_dir_all(&custom).map_err(GenerateError::io(&custom))?;
        let mut files = Vec::with_capacity(FILES.len());
        for (name, header) in FILES {
            let path = dir.join(name);
            let file = File::create(&path).map_err(GenerateError::io(&path))?;
            let mut out = BufWriter::with_capacity(1 << 20, file);
            out.write_all(header.as_bytes())
                .and_then(|()| out.write_all(b"\n"))
                .map_err(GenerateError::io(&path))?;
            files.push((path, out));
        }
        Ok(Self {
            files,
            buf: Vec::with_capacity(1 << 22),
            text: String::new(),
            counts: Counts::default(),
            widths,
            calendar,
        })
    }

    /// The records written so far.
    pub(crate) fn counts(&self) -> Counts {
        self.counts
    }

    fn flush_buf(&mut self, file: usize) -> Result<(), GenerateError> {
        if let Some((path, out)) = self.files.get_mut(file) {
            out.write_all(&self.buf)
                .map_err(GenerateError::io(path.as_path()))?;
        }
        self.buf.clear();
        Ok(())
    }

    /// Appends a chunk's rows to the files.
    pub(crate) fn write_chunk(&mut self, chunk: &Chunk) -> Result<(), GenerateError> {
        self.accounts(chunk);
        self.flush_buf(0)?;
        self.contacts(chunk);
        self.flush_buf(1)?;
        self.leads(chunk);
        self.flush_buf(2)?;
        self.interactions(chunk);
        self.flush_buf(3)?;
        self.meetings(chunk);
        self.flush_buf(4)?;
        let c = &mut self.counts;
        c.accounts += chunk.accounts.len() as u64;
        c.contacts += chunk.contacts.len() as u64;
        c.leads += chunk.leads.len() as u64;
        c.interactions += chunk.interactions.len() as u64;
        c.meetings += chunk.meetings.len() as u64;
        c.visitors += u64::from(chunk.visitors);
        Ok(())
    }

    /// Flushes every file; returns the bytes written. (Publishing the staging
    /// folder syncs them to disk.)
    pub(crate) fn finish(self) -> Result<u64, GenerateError> {
        let mut bytes = 0;
        for (path, out) in self.files {
            let file = out.into_inner().map_err(|e| GenerateError::Io {
                path: path.clone(),
                source: e.into_error(),
            })?;
            bytes += file.metadata().map_err(GenerateError::io(&path))?.len();
        }
        Ok(bytes)
    }

    fn account_id(&self, local: Option<u32>) -> Option<u64> {
        local.map(|a| self.counts.accounts + u64::from(a) + 1)
    }

    fn contact_id(&self, local: Option<u32>) -> Option<u64> {
        local.map(|c| self.counts.contacts + u64::from(c) + 1)
    }

    fn lead_id(&self, local: Option<u32>) -> Option<u64> {
        local.map(|l| self.counts.leads + u64::from(l) + 1)
    }

    fn visitor_id(&self, local: Option<u32>) -> Option<u64> {
        local.map(|v| self.counts.visitors + u64::from(v) + 1)
    }

    fn accounts(&mut self, chunk: &Chunk) {
        let w = self.widths.account;
        for (i, a) in chunk.accounts.iter().enumerate() {
            Row::new(&mut self.buf)
                .id(b'A', self.counts.accounts + i as u64 + 1, w)
                .text(&a.name)
                .text(INDUSTRIES[a.industry].name)
                .opt_int(a.employees_known.then_some(u64::from(a.employees)))
                .opt_int(a.annual_revenue)
                .text(COUNTRIES[a.country].name)
                .text(a.city)
                .opt_text(opt(TECH_STACKS[a.tech].0))
                .text(TIERS[a.tier].0)
                .end();
        }
    }

    fn contacts(&mut self, chunk: &Chunk) {
        let widths = self.widths;
        for (i, c) in chunk.contacts.iter().enumerate() {
            let id = self.counts.contacts + i as u64 + 1;
            let account_id = self.account_id(c.account);
            let visitor_id = self.visitor_id(c.visitor);
            let account = c.account.and_then(|a| chunk.accounts.get(a as usize));
            let mut text = std::mem::take(&mut self.text);
            let mut row = Row::new(&mut self.buf);
            row.id(b'C', id, widths.contact)
                .opt_id(b'A', account_id, widths.account)
                .text(c.first)
                .text(c.last);
            if c.has_email {
                row.built(&mut text, |s| email(s, c, account, id));
            } else {
                row.empty();
            }
            if c.title.is_empty() {
                row.empty();
            } else {
                row.built(&mut text, |s| {
                    s.push_str(&c.title.replace("{}", DEPARTMENTS[c.department].0));
                });
            }
            row.text(c.city)
                .text(COUNTRIES[c.country].name)
                .opt_id(b'V', visitor_id, widths.visitor)
                .opt_text(c.language)
                .text(if c.opted_in { "true" } else { "false" })
                .end();
            self.text = text;
        }
    }

    fn leads(&mut self, chunk: &Chunk) {
        let widths = self.widths;
        for (i, l) in chunk.leads.iter().enumerate() {
            let contact_id = self.contact_id(l.contact);
            let account_id = self.account_id(l.account);
            let status = match l.status {
                Status::Open { written: true } => Some("open"),
                Status::Open { written: false } => None,
                Status::Qualified => Some("qualified"),
                Status::Disqualified => Some("disqualified"),
            };
            let mut text = std::mem::take(&mut self.text);
            Row::new(&mut self.buf)
                .id(b'L', self.counts.leads + i as u64 + 1, widths.lead)
                .time(l.created)
                .opt_id(b'C', contact_id, widths.contact)
                .opt_id(b'A', account_id, widths.account)
                .built(&mut text, |s| {
                    s.push_str(&TOPICS[l.topic].replace("{}", PRODUCTS[l.product].0));
                })
                .text(SOURCES[l.source].0)
                .opt_text(status)
                .opt_time(l.closed)
                .opt_text(l.reason)
                .opt_text(opt(BUDGETS[l.budget].0))
                .text(PRODUCTS[l.product].0)
                .end();
            self.text = text;
        }
    }

    fn interactions(&mut self, chunk: &Chunk) {
        let widths = self.widths;
        let calendar = self.calendar;
        for (i, x) in chunk.interactions.iter().enumerate() {
            let contact_id = self.contact_id(x.contact);
            let lead_id = self.lead_id(x.lead);
            let visitor_id = self.visitor_id(x.visitor);
            let kind = match x.kind {
                Kind::EmailOpened => "EmailOpened",
                Kind::EmailClicked => "EmailClicked",
                Kind::FormSubmitted => "FormSubmitted",
                Kind::WebsiteVisited => "WebsiteVisited",
                Kind::EventRegistered => "EventRegistered",
                Kind::EventAttended => "EventAttended",
                Kind::PricingPageViewed => CUSTOM_KIND,
            };
            let mut row = Row::new(&mut self.buf);
            row.id(
                b'I',
                self.counts.interactions + i as u64 + 1,
                widths.interaction,
            )
            .text(kind)
            .time(x.at)
            .opt_id(b'C', contact_id, widths.contact)
            .opt_id(b'L', lead_id, widths.lead)
            .opt_id(b'V', visitor_id, widths.visitor);
            match x.prop {
                Prop::Campaign(w) => row.raw(|o| calendar.write_campaign(o, w)).empty().empty(),
                Prop::Click(w, p) => row
                    .raw(|o| calendar.write_campaign(o, w))
                    .raw(url(PAGES[usize::from(p) % PAGES.len()].0))
                    .empty(),
                Prop::Page(p) => row
                    .empty()
                    .raw(url(PAGES[usize::from(p) % PAGES.len()].0))
                    .empty(),
                Prop::Form(f) => row
                    .empty()
                    .raw(url(FORMS[usize::from(f) % FORMS.len()]))
                    .empty(),
                Prop::Pricing(p) => row
                    .empty()
                    .raw(url(PRICING_PAGES[usize::from(p) % PRICING_PAGES.len()]))
                    .empty(),
                Prop::Event(k) => row.empty().empty().raw(|o| calendar.write_event(o, k)),
            };
            row.end();
        }
    }

    fn meetings(&mut self, chunk: &Chunk) {
        let widths = self.widths;
        for (i, m) in chunk.meetings.iter().enumerate() {
            let lead_id = self.counts.leads + u64::from(m.lead) + 1;
            Row::new(&mut self.buf)
                .id(b'M', self.counts.meetings + i as u64 + 1, widths.meeting)
                .id(b'L', lead_id, widths.lead)
                .text(MEETING_TYPES[m.kind])
                .time(m.held)
                .text(MEETING_OUTCOMES[m.outcome])
                .int(u64::from(m.minutes))
                .end();
        }
    }
}

/// A cell writer for a URL of the vendor's site.
fn url(path: &'static str) -> impl FnOnce(&mut Vec<u8>) {
    move |out: &mut Vec<u8>| {
        out.extend_from_slice(SITE.as_bytes());
        out.extend_from_slice(path.as_bytes());
    }
}

/// A contact's email: at the company's domain in the company's style, or at a
/// personal mail domain for contacts without an account.
fn email(out: &mut String, c: &ContactRow, account: Option<&AccountRow>, id: u64) {
    let first = crate::world::fold_ascii(c.first);
    let last = crate::world::fold_ascii(c.last);
    match account {
        Some(a) => {
            match a.email_style {
                0 => {
                    out.push_str(&first);
                    out.push('.');
                    out.push_str(&last);
                }
                1 => {
                    out.push_str(first.get(..1).unwrap_or_default());
                    out.push_str(&last);
                }
                _ => out.push_str(&first),
            }
            out.push('@');
            out.push_str(&a.slug);
            out.push_str(".example");
        }
        None => {
            out.push_str(&first);
            out.push('.');
            out.push_str(&last);
            let mut digits = Vec::new();
            write_u64(&mut digits, id % 97, 1);
            out.push_str(&String::from_utf8_lossy(&digits));
            out.push('@');
            out.push_str(PERSONAL_DOMAINS[usize::from(c.personal_domain) % PERSONAL_DOMAINS.len()]);
        }
    }
}
