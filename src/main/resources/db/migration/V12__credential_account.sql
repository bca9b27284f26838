-- The CRM account a profile's stored tokens belong to (a HubSpot portal's hub id), learnt when an
-- admin installs the app with `./aix install hubspot`. Kept beside the sealed tokens, in the clear:
-- it is no secret, and an admin can see which portal a profile is bound to without the keys.
-- Null for tokens stored before, or by a flow that does not learn it; renewals keep it.
alter table crm_credential add column account_id varchar(64);
