//! `leadscore map`: the shipped mappings, and a mapping proposed from an
//! export's header.

use std::io::Write;

use crate::cli::{MapCommand, MapInitArgs};

pub fn run(command: MapCommand) -> anyhow::Result<()> {
    match command {
        MapCommand::Init(args) => init(args),
        MapCommand::List => {
            for (name, _) in leadscore_mapping::SHIPPED {
                let mapping = leadscore_mapping::shipped(name)?;
                println!("{name:<12} {}", mapping.about().unwrap_or(""));
            }
            Ok(())
        }
        MapCommand::Show { name } => {
            let text = leadscore_mapping::SHIPPED
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(&name))
                .map(|(_, t)| *t);
            match text {
                Some(text) => {
                    print!("{text}");
                    Ok(())
                }
                None => Err(leadscore_mapping::shipped(&name)
                    .err()
                    .map_or_else(|| anyhow::anyhow!("no mapping {name:?}"), Into::into)),
            }
        }
    }
}

fn init(args: MapInitArgs) -> anyhow::Result<()> {
    let proposal = leadscore_mapping::propose(&args.export)?;
    match &args.out {
        Some(path) => {
            // Never over a mapping someone may have edited.
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            file.write_all(proposal.yaml.as_bytes())?;
            eprintln!(
                "wrote {} (from the shipped mapping {}: {} columns read, {} near misses to check, {} others); try it with: leadscore import {} --map {} --dry-run",
                path.display(),
                proposal.based_on,
                proposal.matched.len(),
                proposal.near.len(),
                proposal.others.len(),
                args.export.display(),
                path.display()
            );
        }
        None => print!("{}", proposal.yaml),
    }
    Ok(())
}
