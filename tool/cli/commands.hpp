// The retort commands, one function each; main.cpp wires them to the command line.
#pragma once

#include <optional>
#include <string>

#include "context.hpp"

namespace retort::cli {

int upgrade(context& ctx, const std::string& target, bool accept_edited);
int downgrade(context& ctx, const std::string& target, bool accept_edited);
int stamp(context& ctx, const std::string& target);
int current(context& ctx);
int history(context& ctx, bool audit);
int heads(context& ctx);
int show(context& ctx, const std::string& name);
int sql(context& ctx, const std::string& range);
int make_revision(context& ctx, const std::string& snapshot, std::string message, bool allow_empty);
int merge(context& ctx, std::string message);
int check(context& ctx, const std::string& snapshot, const std::string& fix_command);
int replay_to_file(context& ctx, const std::string& target, const std::string& output);
int devdb(context& ctx, const std::string& action);

}  // namespace retort::cli
