//! `leadscore serve` and `leadscore keys`

use std::path::{Path, PathBuf};

use anyhow::Context;
use leadscore_engine::keys::{self, list_keys, revoke_key, rotate_key};
use leadscore_engine::{Role, Service, Settings, create_key, model_registry};
use leadscore_files::{ReadOptions, read_folder_with_limit};
use leadscore_rules::RuleModel;
use leadscore_store::{DEFAULT_SQLITE_FILE, OpenOptions, SqlStore, Store};
use serde::Serialize;

use crate::cli::{KeysArgs, KeysCommand, ServeArgs};
use crate::commands::{open_existing_store, open_store, runtime};
use crate::output::print_summary;

pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    runtime()?.block_on(serve(args))
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let mut settings = Settings::load(args.config.as_deref())?;
    if let Some(listen) = &args.listen {
        settings.listen = listen.parse().with_context(|| {
            format!("--listen {listen:?} is not an address like 127.0.0.1:8080")
        })?;
    }
    let database = args
        .database
        .clone()
        .or_else(|| settings.database.clone())
        .unwrap_or_else(|| DEFAULT_SQLITE_FILE.to_owned());
    let url = leadscore_store::DatabaseUrl::parse(&database)?;
    let store = SqlStore::open_with(
        &url,
        OpenOptions {
            durable: true,
            background_checkpoints: true,
        },
    )
    .await?;
    let counts = store.counts().await?;
    if counts.leads == 0 {
        if args.load_sample {
            load_sample(&store, &args.sample, &args.models, &settings).await?;
        } else {
            eprintln!(
                "the store {} is empty: start with --load-sample to load the shipped sample \
                 data, rule models and conversion model, or send records to the API",
                url.redacted()
            );
        }
    } else if args.load_sample {
        eprintln!(
            "the store {} already holds {} {}: the sample data was not loaded \
             (--load-sample loads it into an empty store only)",
            url.redacted(),
            counts.leads,
            if counts.leads == 1 { "lead" } else { "leads" }
        );
        load_missing_models(&store, &args.models).await?;
    }
    if registry_is_keyless(&store).await? {
        let key = create_key(&store, Role::Admin, Some("first admin"), None).await?;
        eprintln!(
            "no API key existed: made an admin key (shown once, keep it):\n  {}\n\
             make more with `leadscore keys create --role read|ingest|admin`",
            key.key
        );
    }
    // With no console user yet, a one-time link for the first admin.
    let first_admin = leadscore_engine::users::first_admin_link(&store).await?;
    let service = Service::new(store, settings).await?;
    let running = leadscore_api::start(service).await?;
    if let Some(link) = first_admin {
        eprintln!(
            "no console user existed: open this one-time link to make the first admin \
             (works once, until {}):\n  http://{}/console/first-admin?token={}\n\
             make more users with `leadscore users create --email ... --role read|ingest|admin`",
            link.expires_at, running.addr, link.token
        );
    }
    eprintln!(
        "leadscore is serving on http://{} (store: {}); Ctrl-C stops it; the console is at \
         http://{}/console/",
        running.addr,
        url.redacted(),
        running.addr
    );
    running.until_signal().await?;
    Ok(())
}

async fn registry_is_keyless(store: &SqlStore) -> anyhow::Result<bool> {
    Ok(list_keys(store).await?.is_empty())
}

/// A shipped folder: as given when it exists, else beside the source tree
/// (for a binary run from elsewhere).
fn shipped(path: &Path) -> PathBuf {
    if path.exists() || path.is_absolute() {
        return path.to_path_buf();
    }
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    if beside.exists() {
        beside
    } else {
        path.to_path_buf()
    }
}

/// Loads the sample folder, the rule models and the conversion model
/// (registered and published); the sample's record times are checked as the
/// service checks ingested ones (`records.future_tolerance_days`), its
/// columns and kinds with the declared ones (`records.custom_fields`,
/// `records.custom_kinds`).
async fn load_sample(
    store: &SqlStore,
    sample: &Path,
    models: &Path,
    settings: &Settings,
) -> anyhow::Result<()> {
    let sample = shipped(sample);
    let models = shipped(models);
    let dir = sample.clone();
    let limit = settings.future_limit();
    let options = ReadOptions {
        declared: settings.declared(),
        ..ReadOptions::default()
    };
    let parsed =
        tokio::task::spawn_blocking(move || read_folder_with_limit(&dir, &options, &limit))
            .await??;
    let external = store.existing_ids(&parsed.unresolved_ids()).await?;
    let loaded = parsed.resolve(&external)?;
    let summary = store.import(&loaded.dataset, &|_| {}).await?;
    eprintln!(
        "loaded {} leads, {} contacts, {} accounts, {} interactions from {}",
        summary.leads,
        summary.contacts,
        summary.accounts,
        summary.interactions,
        sample.display()
    );
    let rules = load_rule_models(store, &models).await?;
    eprintln!(
        "loaded {} rule models from {}",
        rules.count,
        rules.dir.display()
    );
    let conversion = load_conversion_model(store, &models).await?;
    eprintln!(
        "registered and published the conversion model {} as v{}",
        conversion.artifact.display(),
        conversion.version
    );
    Ok(())
}

/// For `--load-sample` on a store that already holds leads: the shipped
/// rule models when the store has none, and the shipped conversion model
/// (registered and published) when none is live; what the store has is
/// kept. Says on stderr what it did.
async fn load_missing_models(store: &SqlStore, models: &Path) -> anyhow::Result<()> {
    let models = shipped(models);
    let stored = model_registry::rule_models(store).await?.len();
    if stored == 0 {
        let rules = load_rule_models(store, &models).await?;
        eprintln!(
            "the store held no rule models: loaded the {} shipped ones from {}",
            rules.count,
            rules.dir.display()
        );
    } else {
        eprintln!("kept the store's {stored} rule models (the shipped ones were not loaded)");
    }
    match store.registry().live_version().await? {
        Some(live) => eprintln!(
            "kept the store's live conversion model v{live} (the shipped one was not \
             registered)"
        ),
        None => {
            let conversion = load_conversion_model(store, &models).await?;
            eprintln!(
                "the store had no live conversion model: registered and published the shipped \
                 one {} as v{}",
                conversion.artifact.display(),
                conversion.version
            );
        }
    }
    Ok(())
}

/// The shipped rule models put in the store.
struct LoadedRules {
    /// How many.
    count: usize,
    /// The folder they were read from.
    dir: PathBuf,
}

/// Puts every `rules/*.yaml` (or `.yml`) of the models folder in the store.
async fn load_rule_models(store: &SqlStore, models: &Path) -> anyhow::Result<LoadedRules> {
    let dir = models.join("rules");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    for file in &files {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        let model = RuleModel::from_yaml(&text).with_context(|| file.display().to_string())?;
        model_registry::put_rule_model(store, &model).await?;
    }
    Ok(LoadedRules {
        count: files.len(),
        dir,
    })
}

/// The shipped conversion model, registered and published.
struct LoadedConversion {
    /// Its artifact file.
    artifact: PathBuf,
    /// The version it was registered as.
    version: i64,
}

/// Registers and publishes the models folder's `conversion/model.json`.
async fn load_conversion_model(
    store: &SqlStore,
    models: &Path,
) -> anyhow::Result<LoadedConversion> {
    let artifact = models.join("conversion").join("model.json");
    let text = std::fs::read_to_string(&artifact)
        .with_context(|| format!("cannot read {}", artifact.display()))?;
    // metrics.json beside the artifact, when there is one; else the
    // metrics the artifact holds.
    let metrics: Option<serde_json::Value> =
        std::fs::read_to_string(models.join("conversion").join("metrics.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok());
    let version = model_registry::register_model(store, &text, metrics.as_ref())
        .await?
        .with_context(|| artifact.display().to_string())?;
    model_registry::publish(store, version, "shipped sample model").await?;
    Ok(LoadedConversion { artifact, version })
}

#[derive(Serialize)]
struct CreatedKey {
    key_id: String,
    key: String,
    role: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    replaces: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    replaced_expires_at: Option<String>,
}

/// A refusal of a flag's value as the command's error.
fn refused(r: leadscore_engine::Refusal) -> anyhow::Error {
    anyhow::anyhow!("{}: {}", r.field.unwrap_or_default(), r.message)
}

pub fn keys(args: KeysArgs) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        let database = args
            .database
            .clone()
            .unwrap_or_else(|| DEFAULT_SQLITE_FILE.to_owned());
        let (_, store) = match &args.command {
            // Making a key makes the store when there is none yet.
            KeysCommand::Create { .. } => open_store(&database).await?,
            KeysCommand::List { .. } => open_existing_store(&database, "keys list").await?,
            KeysCommand::Rotate { .. } => open_existing_store(&database, "keys rotate").await?,
            KeysCommand::Revoke { .. } => open_existing_store(&database, "keys revoke").await?,
        };
        match args.command {
            KeysCommand::Create {
                role,
                label,
                expires_in_days,
                json,
            } => {
                let role: Role = role.parse()?;
                let expires_at =
                    keys::expiry_in_days(expires_in_days, "--expires-in-days").map_err(refused)?;
                let key = create_key(&store, role, label.as_deref(), expires_at).await?;
                let out = CreatedKey {
                    key_id: key.key_id,
                    key: key.key,
                    role: role.to_string(),
                    expires_at: key.expires_at.map(|t| t.to_string()),
                    replaces: None,
                    replaced_expires_at: None,
                };
                print_summary(json, &out, || out.key.clone());
            }
            KeysCommand::Rotate {
                key_id,
                overlap_hours,
                expires_in_days,
                json,
            } => {
                let overlap =
                    keys::overlap_of_hours(overlap_hours, "--overlap-hours").map_err(refused)?;
                let expires_at =
                    keys::expiry_in_days(expires_in_days, "--expires-in-days").map_err(refused)?;
                let Some(rotated) = rotate_key(&store, &key_id, overlap, expires_at).await? else {
                    anyhow::bail!("no active API key {key_id:?} (unknown, revoked or expired)");
                };
                let out = CreatedKey {
                    key_id: rotated.new.key_id,
                    key: rotated.new.key,
                    role: rotated.new.role.to_string(),
                    expires_at: rotated.new.expires_at.map(|t| t.to_string()),
                    replaces: Some(rotated.replaces),
                    replaced_expires_at: Some(rotated.replaced_expires_at.to_string()),
                };
                if !json {
                    eprintln!(
                        "made {} to replace {}; {} keeps working until {}",
                        out.key_id, key_id, key_id, rotated.replaced_expires_at
                    );
                }
                print_summary(json, &out, || out.key.clone());
            }
            KeysCommand::List { json } => {
                let keys = list_keys(&store).await?;
                print_summary(json, &keys, || {
                    keys.iter()
                        .map(|k| {
                            let mut line = format!(
                                "{} {} {} made {}",
                                k.key_id,
                                k.role,
                                k.status.as_str(),
                                k.created_at
                            );
                            if let Some(at) = k.expires_at {
                                line.push_str(&format!(", expires {at}"));
                            }
                            if let Some(old) = &k.replaces {
                                line.push_str(&format!(", replaces {old}"));
                            }
                            if let Some(label) = &k.label {
                                line.push_str(&format!(" ({label})"));
                            }
                            line
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                });
            }
            KeysCommand::Revoke { key_id } => {
                if !revoke_key(&store, &key_id).await? {
                    anyhow::bail!("no active API key {key_id:?}");
                }
                eprintln!("revoked {key_id}");
            }
        }
        Ok(())
    })
}
