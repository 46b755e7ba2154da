//! `leadscore config`: the settings reference, and a check of what the
//! file and the environment give.

use leadscore_engine::Settings;
use leadscore_engine::config_reference::config_reference;
use leadscore_store::DatabaseUrl;

use crate::cli::ConfigCommand;

pub fn run(command: ConfigCommand) -> anyhow::Result<()> {
    match command {
        ConfigCommand::Reference => print!("{}", config_reference()),
        ConfigCommand::Check { config } => {
            let mut settings = Settings::load(config.as_deref())?;
            // The store's URL may hold a password: shown redacted.
            if let Some(database) = &settings.database {
                settings.database = Some(DatabaseUrl::parse(database)?.redacted());
            }
            println!("{}", serde_json::to_string_pretty(&settings)?);
            eprintln!("the settings are valid");
        }
    }
    Ok(())
}
