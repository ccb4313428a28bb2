//! How domain types are stored: ids as the integers they wrap, states and audit actions as
//! their codes (TEXT). Reading a code the enum does not know is an error, not a default: a
//! row in a state the code does not know must not pass for another.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::sqlite::{Sqlite, SqliteArgumentValue, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Encode, Type};

use crate::domain::Role;
use crate::domain::hints::HintCheck;
use crate::domain::history::AuditAction;
use crate::domain::ids::*;
use crate::domain::inspection::InspectionKind;
use crate::domain::meeting::MeetingKind;
use crate::domain::notify::{Channel, MailChoice, OutboxState, RobotKind};
use crate::domain::progress::{DeadlineBasis, ExtensionState};
use crate::domain::states::{
    DeliveryState, FindingSource, LedgerState, LookBackOutcome, MeasureStatus, ReportState, ReviewState, Verdict,
};
use crate::domain::units::Level;
use crate::domain::verification::DocKind;
use crate::domain::work::WorkKind;

macro_rules! stored_as_code {
    ($($name:ty),* $(,)?) => {$(
        impl Type<Sqlite> for $name {
            fn type_info() -> SqliteTypeInfo {
                <&str as Type<Sqlite>>::type_info()
            }
            fn compatible(ty: &SqliteTypeInfo) -> bool {
                <&str as Type<Sqlite>>::compatible(ty)
            }
        }

        impl<'q> Encode<'q, Sqlite> for $name {
            fn encode_by_ref(&self, buf: &mut Vec<SqliteArgumentValue<'q>>) -> Result<IsNull, BoxDynError> {
                <&str as Encode<'q, Sqlite>>::encode(self.code(), buf)
            }
        }

        impl<'r> Decode<'r, Sqlite> for $name {
            fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
                let code = <&str as Decode<'r, Sqlite>>::decode(value)?;
                <$name>::parse(code).ok_or_else(|| format!("unknown {} code {code:?}", stringify!($name)).into())
            }
        }
    )*};
}

stored_as_code!(
    LedgerState,
    Verdict,
    ReviewState,
    MeasureStatus,
    FindingSource,
    ReportState,
    LookBackOutcome,
    Role,
    DocKind,
    AuditAction,
    Level,
    HintCheck,
    MeetingKind,
    WorkKind,
    ExtensionState,
    DeadlineBasis,
    DeliveryState,
    InspectionKind,
    MailChoice,
    RobotKind,
    Channel,
    OutboxState,
);

macro_rules! stored_as_integer {
    ($($name:ident),* $(,)?) => {$(
        impl Type<Sqlite> for $name {
            fn type_info() -> SqliteTypeInfo {
                <i64 as Type<Sqlite>>::type_info()
            }
            fn compatible(ty: &SqliteTypeInfo) -> bool {
                <i64 as Type<Sqlite>>::compatible(ty)
            }
        }

        impl<'q> Encode<'q, Sqlite> for $name {
            fn encode_by_ref(&self, buf: &mut Vec<SqliteArgumentValue<'q>>) -> Result<IsNull, BoxDynError> {
                <i64 as Encode<'q, Sqlite>>::encode_by_ref(&self.0, buf)
            }
        }

        impl<'r> Decode<'r, Sqlite> for $name {
            fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
                Ok($name(<i64 as Decode<'r, Sqlite>>::decode(value)?))
            }
        }
    )*};
}

crate::domain::ids::with_ids!(stored_as_integer);

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn states_are_stored_as_their_codes_and_unknown_codes_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::Db::open(&dir.path().join("codes.db")).await.unwrap();
        let stored: String = sqlx::query_scalar("SELECT ?")
            .bind(MeasureStatus::ClosedOut)
            .fetch_one(&db.read)
            .await
            .unwrap();
        assert_eq!(stored, "closed_out");
        let read: MeasureStatus = sqlx::query_scalar("SELECT 'in_progress'")
            .fetch_one(&db.read)
            .await
            .unwrap();
        assert_eq!(read, MeasureStatus::InProgress);
        let unknown = sqlx::query_scalar::<_, MeasureStatus>("SELECT 'finished'")
            .fetch_one(&db.read)
            .await;
        assert!(unknown.is_err(), "an unknown code is an error, not a default");
        let id: BranchId = sqlx::query_scalar("SELECT ?")
            .bind(BranchId(7))
            .fetch_one(&db.read)
            .await
            .unwrap();
        assert_eq!(id, BranchId(7));
        db.close().await;
    }
}
