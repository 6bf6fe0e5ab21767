#include "cli_util.hpp"

#include <unistd.h>

#include <cstdio>

#include "commands.hpp"

namespace vgi::app {

int Fail(const std::string& what) {
  std::fprintf(stderr, "vgi: %s\n", what.c_str());
  return kExitFailed;
}

int Usage(const std::string& what) {
  std::fprintf(stderr, "vgi: %s\n", what.c_str());
  return kExitUsage;
}

int FromStatus(const std::string& what, const Status& st) {
  return st.code() == StatusCode::kInvalid ? Usage(what + ": " + st.message()) : Fail(what + ": " + st.ToString());
}

std::string CliActor() {
  const char* login = ::getlogin();
  return std::string("cli:") + (login != nullptr ? login : "root");
}

void AuditLocal(store::Store& store, const std::string& operation, const std::string& object,
                const std::string& detail) {
  store::AuditRow row;
  row.at = Clock::System().Now();
  row.username = CliActor();
  row.source = "local";
  row.operation = operation;
  row.object = object;
  row.result = "ok";
  row.detail = detail;
  if (auto st = store.AppendAudit(row); !st.ok()) {
    std::fprintf(stderr, "vgi: warning: the change is made but could not be audited: %s\n",
                 st.status().ToString().c_str());
  }
}

}  // namespace vgi::app
