-- users.updated_at follows every UPDATE (the function is in set_updated_at.sql).
CREATE TRIGGER users_set_updated_at
  BEFORE UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();
