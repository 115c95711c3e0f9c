-- wrk script: an authenticated `{ __typename }`, the cost of a request before any resolver.
--   TOKEN=<access token> wrk -t2 -c32 -d10s --latency -s benches/typename.lua http://127.0.0.1:8080/graphql
wrk.method = "POST"
wrk.body = '{"query":"{ __typename }"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
