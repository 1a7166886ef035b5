//! The mount table: which backend serves which path prefix. A request goes to the
//! mount with the longest matching prefix, and the backend sees the rest of the path.

use std::sync::{Arc, Weak};

use super::Core;
use crate::framework::Backend;

pub struct MountEntry {
    /// With a trailing `/`, e.g. `sys/`.
    pub path: String,
    /// The engine type, e.g. `system`, `kv`.
    pub kind: String,
    pub description: String,
    pub backend: Arc<dyn Backend>,
}

pub struct Router {
    /// Longest path first, so the first prefix match is the longest.
    mounts: Vec<MountEntry>,
}

impl Router {
    /// The mounts every unsealed server has.
    pub fn with_system_mounts(core: Weak<Core>) -> Router {
        let mut router = Router { mounts: Vec::new() };
        router.mount(MountEntry {
            path: "sys/".into(),
            kind: "system".into(),
            description: "system endpoints used for control, policy and debugging".into(),
            backend: Arc::new(crate::engines::sys::backend(core)),
        });
        router
    }

    pub fn mount(&mut self, entry: MountEntry) {
        self.mounts.push(entry);
        self.mounts.sort_by(|a, b| b.path.len().cmp(&a.path.len()).then_with(|| a.path.cmp(&b.path)));
    }

    /// The mount serving `path`, and the path relative to it.
    pub fn route<'p>(&self, path: &'p str) -> Option<(&MountEntry, &'p str)> {
        self.mounts.iter().find_map(|m| path.strip_prefix(m.path.as_str()).map(|rest| (m, rest)))
    }

    pub fn mounts(&self) -> impl Iterator<Item = &MountEntry> {
        self.mounts.iter()
    }
}
