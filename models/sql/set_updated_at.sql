-- Keeps a row's updated_at current: the trigger in users_set_updated_at.sql runs it before each
-- UPDATE of users. One object a file (retort_add_schema's SQL_OBJECTS).
CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
