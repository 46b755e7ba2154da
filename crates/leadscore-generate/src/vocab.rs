//! Vocabularies: the names, categories and their hidden weights in the ground
//! truth. Each category table pairs what is written with how often it is drawn and
//! how much it moves a lead's log-odds of being qualified.

/// An industry: name, share of accounts, effect on the log-odds, revenue per
/// employee (thousands), and words that end company names in it.
pub(crate) struct Industry {
    pub name: &'static str,
    pub weight: f64,
    pub effect: f64,
    pub revenue_per_employee_k: f64,
    pub words: &'static [&'static str],
}

#[rustfmt::skip]
pub(crate) const INDUSTRIES: [Industry; 11] = [
    Industry { name: "Software", weight: 0.16, effect: 0.6, revenue_per_employee_k: 250.0, words: &["Software", "Systems", "Labs", "Technologies", "Cloud", "Data"] },
    Industry { name: "Manufacturing", weight: 0.15, effect: 0.15, revenue_per_employee_k: 220.0, words: &["Manufacturing", "Industries", "Components", "Tooling", "Fabrication"] },
    Industry { name: "Healthcare", weight: 0.11, effect: 0.2, revenue_per_employee_k: 180.0, words: &["Health", "Medical", "Clinics", "Care", "Biosciences"] },
    Industry { name: "Financial Services", weight: 0.10, effect: 0.45, revenue_per_employee_k: 400.0, words: &["Capital", "Financial", "Bank", "Insurance", "Credit Union"] },
    Industry { name: "Retail", weight: 0.12, effect: -0.3, revenue_per_employee_k: 150.0, words: &["Retail", "Stores", "Outfitters", "Market", "Home"] },
    Industry { name: "Education", weight: 0.07, effect: -0.7, revenue_per_employee_k: 90.0, words: &["Academy", "University", "Learning", "College", "Schools"] },
    Industry { name: "Logistics", weight: 0.08, effect: 0.1, revenue_per_employee_k: 200.0, words: &["Logistics", "Freight", "Transport", "Shipping", "Distribution"] },
    Industry { name: "Energy", weight: 0.05, effect: 0.1, revenue_per_employee_k: 500.0, words: &["Energy", "Power", "Renewables", "Utilities"] },
    Industry { name: "Media", weight: 0.05, effect: -0.2, revenue_per_employee_k: 160.0, words: &["Media", "Studios", "Publishing", "Broadcasting"] },
    Industry { name: "Professional Services", weight: 0.07, effect: 0.2, revenue_per_employee_k: 170.0, words: &["Consulting", "Partners", "Advisory", "Group"] },
    Industry { name: "Government", weight: 0.04, effect: -0.6, revenue_per_employee_k: 120.0, words: &["County", "Municipal Services", "Public Works", "Authority"] },
];

/// A country: name, share, the language its people mostly prefer, the legal
/// suffixes of its company names, and its cities.
pub(crate) struct Country {
    pub name: &'static str,
    pub weight: f64,
    pub language: &'static str,
    pub suffixes: &'static [&'static str],
    pub cities: &'static [&'static str],
}

#[rustfmt::skip]
pub(crate) const COUNTRIES: [Country; 12] = [
    Country { name: "United States", weight: 0.38, language: "English", suffixes: &["Inc.", ", Inc.", "LLC", "Corp."], cities: &["New York", "Chicago", "Austin", "San Francisco", "Boston", "Atlanta", "Seattle", "Denver"] },
    Country { name: "United Kingdom", weight: 0.10, language: "English", suffixes: &["Ltd", "PLC"], cities: &["London", "Manchester", "Edinburgh", "Bristol"] },
    Country { name: "Germany", weight: 0.10, language: "German", suffixes: &["GmbH", "AG"], cities: &["Berlin", "Munich", "Hamburg", "Frankfurt"] },
    Country { name: "France", weight: 0.07, language: "French", suffixes: &["SAS", "S.A."], cities: &["Paris", "Lyon", "Toulouse"] },
    Country { name: "Canada", weight: 0.07, language: "English", suffixes: &["Inc.", "Ltd."], cities: &["Toronto", "Vancouver", "Montréal"] },
    Country { name: "Netherlands", weight: 0.04, language: "Dutch", suffixes: &["B.V.", "N.V."], cities: &["Amsterdam", "Rotterdam", "Utrecht"] },
    Country { name: "Spain", weight: 0.04, language: "Spanish", suffixes: &["S.L.", "S.A."], cities: &["Madrid", "Barcelona", "Valencia"] },
    Country { name: "Australia", weight: 0.05, language: "English", suffixes: &["Pty Ltd"], cities: &["Sydney", "Melbourne", "Brisbane"] },
    Country { name: "India", weight: 0.06, language: "English", suffixes: &["Pvt Ltd", "Ltd"], cities: &["Bengaluru", "Mumbai", "Pune", "Hyderabad"] },
    Country { name: "Brazil", weight: 0.04, language: "Portuguese", suffixes: &["Ltda.", "S.A."], cities: &["São Paulo", "Rio de Janeiro", "Curitiba"] },
    Country { name: "Japan", weight: 0.03, language: "Japanese", suffixes: &["K.K."], cities: &["Tokyo", "Osaka"] },
    Country { name: "Sweden", weight: 0.02, language: "Swedish", suffixes: &["AB"], cities: &["Stockholm", "Gothenburg"] },
];

/// First words of company names.
pub(crate) const NAME_WORDS: [&str; 40] = [
    "Northwind",
    "Blue Ridge",
    "Summit",
    "Cedar",
    "Harbor",
    "Ironwood",
    "Silver Lake",
    "Granite",
    "Maple",
    "Pioneer",
    "Redwood",
    "Atlas",
    "Beacon",
    "Evergreen",
    "Lakeside",
    "Meridian",
    "Orchard",
    "Pinnacle",
    "Riverbend",
    "Sterling",
    "Crescent",
    "Falcon",
    "Oakmont",
    "Westbrook",
    "Brightwater",
    "Copperfield",
    "Highland",
    "Juniper",
    "Kestrel",
    "Bluebird",
    "Horizon",
    "Keystone",
    "Larkspur",
    "Morningside",
    "Northstar",
    "Old Mill",
    "Prairie",
    "Quartz",
    "Tidewater",
    "Vantage",
];

/// Customer tiers: value, share, effect.
pub(crate) const TIERS: [(&str, f64, f64); 4] = [
    ("Prospect", 0.80, 0.0),
    ("Customer", 0.10, 0.8),
    ("Former Customer", 0.05, -0.4),
    ("Partner", 0.05, 0.2),
];

/// Tech stacks: value (empty = unknown), share, effect.
pub(crate) const TECH_STACKS: [(&str, f64, f64); 6] = [
    ("AWS", 0.28, 0.25),
    ("Azure", 0.22, 0.2),
    ("Google Cloud", 0.10, 0.2),
    ("On-premises", 0.15, -0.35),
    ("Hybrid", 0.13, 0.0),
    ("", 0.12, -0.1),
];

pub(crate) const FIRST_NAMES: [&str; 64] = [
    "James", "Mary", "Wei", "Priya", "Ahmed", "Sofia", "Lukas", "Emma", "Hiroshi", "Yuki",
    "Carlos", "Ana", "Olivia", "Noah", "Liam", "Fatima", "Arjun", "Chloé", "Mateo", "Isabella",
    "Jan", "Anna", "Pierre", "Camille", "Lars", "Ingrid", "Raj", "Ananya", "Chen", "Mei", "Kwame",
    "Amara", "Daniel", "Sarah", "Michael", "Laura", "David", "Elena", "Thomas", "Julia", "Omar",
    "Leila", "Diego", "Lucía", "Hannah", "Felix", "Marta", "Ivan", "Olga", "Kenji", "Sakura",
    "Tom", "Grace", "Ben", "Zoe", "Samuel", "Nora", "Erik", "Astrid", "João", "Beatriz",
    "Jennifer", "Robert", "Aisha",
];

pub(crate) const LAST_NAMES: [&str; 72] = [
    "Smith",
    "Johnson",
    "Müller",
    "Schmidt",
    "Dubois",
    "Martin",
    "García",
    "Rodríguez",
    "Rossi",
    "Chen",
    "Wang",
    "Li",
    "Kumar",
    "Patel",
    "Singh",
    "Tanaka",
    "Suzuki",
    "Sato",
    "Kim",
    "Park",
    "Nguyen",
    "O'Brien",
    "Murphy",
    "Jansen",
    "de Vries",
    "Andersson",
    "Johansson",
    "Silva",
    "Santos",
    "Costa",
    "Brown",
    "Taylor",
    "Wilson",
    "Anderson",
    "Moore",
    "Jackson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Hall",
    "Young",
    "King",
    "Wright",
    "Lopez",
    "Hill",
    "Scott",
    "Green",
    "Adams",
    "Baker",
    "Nelson",
    "Carter",
    "Mitchell",
    "Okafor",
    "Mensah",
    "Haddad",
    "Kowalski",
    "Nowak",
    "Petrov",
    "Ivanova",
    "Fischer",
    "Weber",
    "Becker",
    "Lefebvre",
    "Moreau",
    "Fernández",
    "Ferreira",
    "Yılmaz",
    "Cohen",
    "Sharma",
    "Reddy",
];

/// Seniority levels: share of contacts, effect, title templates (`{}` = department).
pub(crate) struct Seniority {
    pub weight: f64,
    pub effect: f64,
    pub titles: &'static [&'static str],
}

#[rustfmt::skip]
pub(crate) const SENIORITIES: [Seniority; 7] = [
    Seniority { weight: 0.06, effect: 0.3, titles: &["Chief Executive Officer", "Chief Technology Officer", "Chief Financial Officer", "Chief Operating Officer", "Chief Data Officer", "Founder & CEO"] },
    Seniority { weight: 0.09, effect: 0.65, titles: &["VP of {}", "Vice President, {}", "SVP {}"] },
    Seniority { weight: 0.17, effect: 0.75, titles: &["Director of {}", "{} Director", "Head of {}"] },
    Seniority { weight: 0.28, effect: 0.3, titles: &["{} Manager", "Senior {} Manager", "{} Team Lead"] },
    Seniority { weight: 0.32, effect: -0.25, titles: &["{} Analyst", "{} Specialist", "Senior {} Analyst", "{} Associate", "Consultant"] },
    Seniority { weight: 0.04, effect: -1.6, titles: &["Intern", "Student", "Graduate Student", "Research Assistant"] },
    Seniority { weight: 0.04, effect: 0.0, titles: &[""] },
];

/// Departments and their effect.
pub(crate) const DEPARTMENTS: [(&str, f64); 10] = [
    ("Data & Analytics", 0.35),
    ("IT", 0.2),
    ("Engineering", 0.1),
    ("Operations", 0.1),
    ("Finance", 0.05),
    ("Supply Chain", 0.1),
    ("Marketing", -0.1),
    ("Sales", -0.1),
    ("Procurement", 0.0),
    ("Customer Success", -0.15),
];

/// Lead sources: value, share, effect.
pub(crate) const SOURCES: [(&str, f64, f64); 8] = [
    ("Web", 0.22, 0.0),
    ("Paid Search", 0.13, -0.35),
    ("Webinar", 0.13, 0.1),
    ("Event", 0.10, 0.3),
    ("Referral", 0.08, 0.9),
    ("Partner", 0.08, 0.5),
    ("Cold Outreach", 0.16, -0.8),
    ("Content Syndication", 0.10, -0.5),
];

/// Source indices the generator treats specially.
pub(crate) const SOURCE_WEB: usize = 0;
pub(crate) const SOURCE_PAID_SEARCH: usize = 1;
pub(crate) const SOURCE_WEBINAR: usize = 2;
pub(crate) const SOURCE_EVENT: usize = 3;

/// Products: value, effect.
pub(crate) const PRODUCTS: [(&str, f64); 5] = [
    ("Analytics Cloud", 0.25),
    ("Forecasting", 0.1),
    ("Data Integration", 0.0),
    ("Embedded BI", -0.1),
    ("Professional Services", -0.35),
];

/// Lead topics (`{}` = product).
pub(crate) const TOPICS: [&str; 9] = [
    "{} evaluation",
    "Pricing for {}",
    "{} trial request",
    "Question about {}",
    "Replace legacy reporting with {}",
    "{} for the finance team",
    "Migrating from spreadsheets",
    "{}: security review, SSO and audit logs",
    "Demo request",
];

/// Budget bands: value (empty = unknown), effect.
pub(crate) const BUDGETS: [(&str, f64); 5] = [
    ("<10k", -0.9),
    ("10k-50k", -0.1),
    ("50k-250k", 0.5),
    ("250k+", 0.7),
    ("", -0.2),
];

pub(crate) const DISQUALIFY_REASONS: [&str; 6] = [
    "No budget",
    "No response",
    "Competitor",
    "Not a fit",
    "Bad timing",
    "Duplicate",
];
pub(crate) const REASON_NO_BUDGET: usize = 0;
pub(crate) const REASON_NO_RESPONSE: usize = 1;
pub(crate) const REASON_NOT_A_FIT: usize = 3;

/// Email campaign names (the send month is appended).
pub(crate) const CAMPAIGNS: [&str; 12] = [
    "Monthly Product Newsletter",
    "What's New in Analytics Cloud",
    "Case Study: Freight, Forecasts and Fewer Spreadsheets",
    "Webinar Invitation",
    "Customer Stories",
    "The Data Leader's Digest",
    "Release Notes",
    "Guide: Building a Forecasting Practice",
    "Event Reminder",
    "Benchmark Report 2026",
    "Security & Compliance Update",
    "Last Chance: Early-Bird Pricing",
];

/// Webinar titles (the date is appended).
pub(crate) const WEBINARS: [&str; 8] = [
    "Forecasting Demand with Machine Learning",
    "From Spreadsheets to Self-Service BI",
    "Data Governance in Practice",
    "Embedding Analytics in Your Product",
    "Ask Me Anything: Data Integration",
    "Scaling Dashboards to 10,000 Users",
    "Supply Chain Visibility",
    "Finance Planning, Faster",
];

/// In-person event series (a city and the date are appended).
pub(crate) const EVENT_SERIES: [&str; 4] = [
    "Data Leaders Summit",
    "Analytics Roadshow",
    "Customer Forum",
    "Partner Day",
];
pub(crate) const EVENT_CITIES: [&str; 8] = [
    "London",
    "New York",
    "Berlin",
    "Chicago",
    "Paris",
    "Toronto",
    "Sydney",
    "Amsterdam",
];

/// The vendor's website the URLs point into.
pub(crate) const SITE: &str = "https://www.northwind-analytics.example";

/// Website pages and how much intent they show (0 = browsing, 1 = buying).
pub(crate) const PAGES: [(&str, f64); 16] = [
    ("/", 0.1),
    ("/blog/forecasting-101", 0.0),
    ("/blog/data-governance-checklist", 0.0),
    ("/blog/why-spreadsheets-break", 0.0),
    ("/customers", 0.3),
    ("/customers/logistics", 0.3),
    ("/product/analytics-cloud", 0.4),
    ("/product/forecasting", 0.4),
    ("/product/integrations", 0.4),
    ("/docs/getting-started", 0.5),
    ("/security", 0.6),
    ("/careers", -0.5),
    ("/about", 0.0),
    ("/compare", 0.7),
    ("/pricing", 0.9),
    ("/demo", 1.0),
];

/// Form pages.
pub(crate) const FORMS: [&str; 6] = [
    "/contact-us",
    "/demo-request",
    "/whitepaper/forecasting-guide",
    "/webinar-signup",
    "/newsletter",
    "/contact-sales",
];
pub(crate) const FORM_DEMO: u16 = 1;
pub(crate) const FORM_CONTACT_SALES: u16 = 5;

/// Pages of the custom `PricingPageViewed` kind.
pub(crate) const PRICING_PAGES: [&str; 3] =
    ["/pricing", "/pricing/enterprise", "/pricing/calculator"];

/// The custom interaction kind.
pub(crate) const CUSTOM_KIND: &str = "PricingPageViewed";

/// Meetings: types, outcomes.
pub(crate) const MEETING_TYPES: [&str; 3] = ["Discovery", "Demo", "Pricing"];
pub(crate) const MEETING_OUTCOMES: [&str; 3] = ["Completed", "No-show", "Rescheduled"];

/// Personal mail domains of contacts without an account.
pub(crate) const PERSONAL_DOMAINS: [&str; 3] = ["mail.example", "inbox.example", "post.example"];
