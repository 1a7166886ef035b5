//! Secret staleness: a KV v2 mount's secrets ordered by time since their last change,
//! with version counts, to find what was never rotated. Walks the mount as the user
//! (so only what they may list and read), within bounds.

use leptos::prelude::*;

use super::dto::StalenessReport;
use super::error::ConsoleError;

/// Secrets weighed at most: each is one metadata read through the pipeline.
pub const MAX_SECRETS: usize = 1000;

#[server(prefix = "/ui/api", endpoint = "kv/staleness")]
pub async fn staleness(mount: String) -> Result<StalenessReport, ConsoleError> {
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;

    use super::dto::StaleSecret;
    use super::kv::server::Kv;

    /// Metadata reads in flight at once.
    const READS_AT_ONCE: usize = 16;

    let kv = Kv::open(&mount).await?;
    if kv.mount.version != 2 {
        return Err(ConsoleError::invalid(format!(
            "{}/ is KV version 1, which keeps no update times; staleness needs version 2.",
            kv.mount.mount
        )));
    }
    let (paths, truncated) = kv.secrets(MAX_SECRETS, |_| true).await?;
    let now = OffsetDateTime::now_utc();
    let mut secrets = Vec::with_capacity(paths.len());
    let mut hidden = 0;
    for chunk in paths.chunks(READS_AT_ONCE) {
        let mut reads = tokio::task::JoinSet::new();
        for path in chunk {
            let (kv, path) = (kv.clone(), path.clone());
            reads.spawn(async move { (kv.metadata(&path).await, path) });
        }
        while let Some(read) = reads.join_next().await {
            let (metadata, path) = read.map_err(|_| ConsoleError::new(500, "a metadata read stopped unexpectedly"))?;
            let Some(metadata) = metadata? else {
                hidden += 1;
                continue;
            };
            // Versions come newest first: the newest one's time is the last change.
            let Some(updated) = metadata.versions.first().map(|v| v.created_time.clone()) else { continue };
            let at = OffsetDateTime::parse(&updated, &Rfc3339).unwrap_or(now);
            secrets.push((
                at,
                StaleSecret {
                    path,
                    updated,
                    age_days: (now - at).whole_days(),
                    current_version: metadata.current_version,
                    versions: metadata.versions.len(),
                },
            ));
        }
    }
    // Parsed times, not their text: fractions of a second vary in length.
    secrets.sort_by(|(a_at, a), (b_at, b)| a_at.cmp(b_at).then_with(|| a.path.cmp(&b.path)));
    let secrets = secrets.into_iter().map(|(_, secret)| secret).collect();
    Ok(StalenessReport { mount: kv.mount.mount, secrets, hidden, truncated })
}
