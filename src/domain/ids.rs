//! Newtype ids, so a branch id can never be passed where a committee id is meant. (db::codes
//! stores them as the integers they wrap.)

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

/// Calls `$m!` with every id type: the list is written once (db::codes stores them all).
macro_rules! with_ids {
    ($m:ident) => {
        $m!(
            CampaignId,
            CommitteeId,
            BranchId,
            UserId,
            CategoryId,
            LedgerItemId,
            SelfCheckId,
            FindingId,
            MeasureId,
            EvidenceId,
            MeetingEvidenceId,
            MilestoneId,
            ProgressEntryId,
            ExtensionId,
            DeliveryId,
        );
    };
}
pub(crate) use with_ids;

with_ids!(id_type);
