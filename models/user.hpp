// Users, their profiles and their posts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base.hpp"

namespace shop {

/// -> CREATE EXTENSION citext: case-insensitive text, for the nicknames below.
RETORT_EXTENSION("citext");

/// -> CREATE TYPE user_role AS ENUM ('member', 'moderator', 'admin')
enum class UserRole { member, moderator, admin };

/// -> CREATE TYPE post_state: RETORT_ENUM names the type.
enum class RETORT_ENUM("post_state") PostStatus { draft, published, archived };

// Sign-in looks emails up case-insensitively: an expression index, spelled as PostgreSQL prints
// it (email is varchar, so lower() reads it cast to text).
struct RETORT_TABLE("users", comment = "People who can sign in", index("lower(email::text)")) User : TimestampedEntity {
  RETORT_COLUMN(length = 255, unique, index) std::string email;  // a unique index
  RETORT_COLUMN(length = 100, unique, renamed_from = "login") std::string username;  // a rename, not drop + add
  RETORT_COLUMN(server_default = "true") bool is_active;
  RETORT_COLUMN(length = 20) std::optional<std::string> phone_number;
  // Added NOT NULL to a table with rows: existing rows get the backfill value.
  RETORT_COLUMN(backfill = "'member'") UserRole role;
  RETORT_COLUMN(server_default = "0", check = "login_count >= 0") std::int32_t login_count;
  RETORT_COLUMN(type = "citext", unique) std::optional<std::string> nickname;  // "Ann" and "ann" are one nickname
};

// The default table name is snake_case of the struct's: user_profile.
struct RETORT_TABLE() UserProfile : Timestamps {
  RETORT_COLUMN(primary_key, references = "users.id", on_delete = cascade) std::int64_t user_id;
  RETORT_COLUMN(length = 100) std::optional<std::string> display_name;
  RETORT_COLUMN(comment = "Shown on the public profile page") std::optional<std::string> bio;
  std::optional<retort::Date> birth_date;
  std::optional<retort::Bytes> avatar;
  RETORT_COLUMN(type = "jsonb", server_default = "'{}'") std::string preferences;  // type override
  RETORT_COLUMN(name = "time_zone", length = 64, server_default = "'UTC'") std::string tz;
};

struct RETORT_TABLE("posts", index(author_id, published_at, where = "published_at IS NOT NULL"),
                    index(tags, method = gin)) Post : TimestampedEntity {
  RETORT_COLUMN(references = "users.id", on_delete = cascade, index) std::int64_t author_id;
  RETORT_COLUMN(length = 200) std::string title;
  std::string body;
  RETORT_COLUMN(server_default = "'draft'") PostStatus status;
  std::optional<retort::Timestamp> published_at;
  std::vector<std::string> tags;  // text[]
  std::optional<retort::Jsonb> metadata;
};

}  // namespace shop
