CREATE INDEX status_history_resource ON status_history (resource_type, resource_id, at);
DROP INDEX status_history_resource_ordered;
DROP INDEX support_courses_model_keyset;
DROP INDEX support_courses_status_keyset;
DROP INDEX support_courses_peer_worker_keyset;
