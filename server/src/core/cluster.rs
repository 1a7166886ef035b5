//! The cluster's name and id, chosen at initialisation and kept behind the barrier.

use serde::{Deserialize, Serialize};

use crate::logical::{Error, Storage};

const CLUSTER_INFO_KEY: &str = "core/cluster-info";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ClusterInfo {
    pub name: String,
    pub id: String,
}

impl ClusterInfo {
    pub async fn create(storage: &dyn Storage) -> Result<ClusterInfo, Error> {
        let id = uuid::Uuid::new_v4().to_string();
        let info = ClusterInfo { name: format!("arcanum-cluster-{}", &id[..8]), id };
        storage.put(CLUSTER_INFO_KEY, &serde_json::to_vec(&info).map_err(Error::internal)?).await?;
        Ok(info)
    }

    pub async fn load(storage: &dyn Storage) -> Result<ClusterInfo, Error> {
        match storage.get(CLUSTER_INFO_KEY).await? {
            Some(bytes) => {
                serde_json::from_slice(&bytes).map_err(|e| Error::Internal(format!("cluster info is corrupt: {e}")))
            }
            None => ClusterInfo::create(storage).await,
        }
    }
}
