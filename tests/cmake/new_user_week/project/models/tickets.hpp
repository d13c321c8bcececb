// The ticket service's models as the week starts; week.sh edits them as the developer does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <retort/model.hpp>

struct RETORT_TABLE("tenants") Tenant {
  RETORT_COLUMN(primary_key, identity) std::int64_t id;
  RETORT_COLUMN(length = 100, unique) std::string name;
};

struct RETORT_TABLE("tickets") Ticket {
  RETORT_COLUMN(primary_key, identity) std::int64_t id;
  RETORT_COLUMN(references = "tenants.id", on_delete = cascade, index) std::int64_t tenant_id;
  std::string title;
};
