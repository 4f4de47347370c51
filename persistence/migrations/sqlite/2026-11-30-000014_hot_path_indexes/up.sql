-- Indexes in the order the hot reads use them, so that a keyset page of support courses is an
-- index range scan (filter columns, then id: the keyset order) at any depth, never a sort of
-- every matching row; and a resource's status history comes in its shown order (at, id).
CREATE INDEX support_courses_peer_worker_keyset ON support_courses (peer_worker_id, id);
CREATE INDEX support_courses_status_keyset ON support_courses (status, id);
CREATE INDEX support_courses_model_keyset ON support_courses (model, id);
CREATE INDEX status_history_resource_ordered ON status_history (resource_type, resource_id, at, id);
-- The new history index covers every query the old one served.
DROP INDEX status_history_resource;
