# The grid service (vgi::server): config, peers, the protocol handlers and the assembled server.
vgi_library(server
  SOURCES
    src/config.cpp
    src/master_key.cpp
    src/peer_registry.cpp
    src/grid_service.cpp
    src/grid_server.cpp
    src/console_routes.cpp
    src/logs.cpp
  DEPS vgi::base vgi::proto vgi::store vgi::http vgi::relay vgi::console spdlog::spdlog
  PRIVATE_DEPS yaml-cpp simdjson::simdjson OpenSSL::Crypto)
target_include_directories(vgi_server SYSTEM PRIVATE ${RAPIDJSON_INCLUDE_DIRS})

vgi_test(server_test
  SOURCES src/config_test.cpp src/logs_test.cpp src/master_key_test.cpp src/peer_registry_test.cpp src/grid_service_test.cpp
  DEPS vgi::server vgi::testing)
