import { type SQL, sql } from 'drizzle-orm';

/** The writing transaction's id (xid8 as a number): events of one transaction share it. */
export const postgresCurrentTxId: SQL<number> = sql<number>`pg_current_xact_id()::text::bigint`;

/**
 * The first transaction id whose events a reader may not see yet: the oldest transaction of this
 * database still running in the reading statement's snapshot, else the snapshot's xmax. Sequence
 * ids are not commit-ordered; transaction ids below this bound have all ended, so a reader that
 * stops below it never skips an event committed later. Running transactions of other databases
 * on the same server are left out so they cannot stall this one's feed; one that ended since the
 * snapshot still counts (conservative), because the snapshot does not see its events yet.
 */
export const postgresVisibleTxBound: SQL<number> = sql<number>`(
  with snap as (select pg_current_snapshot() as s),
  elsewhere as (
    select backend_xid::text::bigint as xid from pg_stat_activity
    where datname is distinct from current_database() and backend_xid is not null
  )
  select coalesce(
    (select min(x::text::bigint) from snap, pg_snapshot_xip(snap.s) as x
      where (x::text::bigint % 4294967296) not in (select xid from elsewhere)),
    (select pg_snapshot_xmax(s)::text::bigint from snap)
  )
)`;
