-- The registers (data subjects' requests, breaches) read their own kinds of audit record. Partial
-- indexes keep those reads in proportion to the registers rather than to the audit log; the chat's
-- own kinds are not indexed, so its audit writes cost no more.
CREATE INDEX audit_rights_requests ON audit_log (seq) WHERE kind = 'rights_request_recorded';
CREATE INDEX audit_breaches ON audit_log (seq) WHERE kind = 'breach_recorded';
