-- wrk script for benches/peer/postgraphile.sh: POSTs $BODY (a GraphQL request as JSON), with
-- `Authorization: Bearer $TOKEN` when TOKEN is set.
wrk.method = "POST"
wrk.body = os.getenv("BODY")
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("TOKEN")
if token ~= nil and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
