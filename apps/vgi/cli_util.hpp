#pragma once
// What the subcommands that open the grid's store share: how they report failures (exit codes of
// commands.hpp) and how they audit the changes they make (user "cli:<login>", source "local").

#include <string>

#include "vgi/base/status.hpp"
#include "vgi/store/store.hpp"

namespace vgi::app {

// "vgi: <what>" on stderr; exit kExitFailed / kExitUsage.
int Fail(const std::string& what);
int Usage(const std::string& what);
// Invalid input (a bad file, an unknown ID form) is the caller's to fix: Usage; the rest: Fail.
int FromStatus(const std::string& what, const Status& st);

// "cli:<login>".
std::string CliActor();

// Appends an audit row for a change the command made; a failure to audit is a warning (the
// change is already made).
void AuditLocal(store::Store& store, const std::string& operation, const std::string& object,
                const std::string& detail);

}  // namespace vgi::app
