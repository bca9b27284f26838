-- A bulk job's rows carry AIX's own id for the job, given before the CRM names it; the CRM's id
-- is kept on the job. Renaming the rows once the CRM had named the job (a second update of
-- 185,000 rows in one transaction) held a user's change to any of them for seconds.
alter table bulk_job add column crm_job_id varchar(64);
-- Jobs started before this change were renamed to the CRM's id; those still named "pending-..."
-- were never named by the CRM (their writer stopped, or they are writes over REST).
update bulk_job set crm_job_id = job_id where job_id not like 'pending-%';

-- A job takes its rows in chunks, each after the last row of the one before in (queued_at, crm_id)
-- order: with crm_id in the index, a chunk reads its 2,000 entries; without it, every chunk read
-- and sorted every waiting row after the last (a million-lead backfill's jobs started 70 s late).
drop index bulk_write_waiting;
create index bulk_write_waiting
    on bulk_write (profile_id, crm_object, queued_at, crm_id collate "C") where job_id is null;
