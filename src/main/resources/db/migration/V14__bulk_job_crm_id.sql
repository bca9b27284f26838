-- A bulk job's rows carry AIX's own id for the job, given before the CRM names it; the CRM's id
-- is kept on the job. Renaming the rows once the CRM had named the job (a second update of
-- 185,000 rows in one transaction) held a user's change to any of them for seconds.
alter table bulk_job add column crm_job_id varchar(64);
-- Jobs started before this change were renamed to the CRM's id; those still named "pending-..."
-- were never named by the CRM (their writer stopped, or they are writes over REST).
update bulk_job set crm_job_id = job_id where job_id not like 'pending-%';
