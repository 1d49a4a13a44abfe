-- One round trip for a redirect with a warm cache: read the cached link and, when it is
-- live, append the click event to the stream (so a redirect costs one Redis call).
-- KEYS[1] the link's cache key, KEYS[2] the click stream
-- ARGV[1] the stream's approximate MAXLEN, ARGV[2] the code, ARGV[3] the click's id
-- Returns {"miss", now_ms} on a cache miss (the time a later fill is checked against,
-- see snipkit.linkcache), else {"found", url} | {"gone"} | {"missing"}.
local now = redis.call('TIME')
local at = now[1] .. string.format('%03d', math.floor(tonumber(now[2]) / 1000))
local cached = redis.call('GET', KEYS[1])
if not cached then
  return {'miss', at}
end
local link = cjson.decode(cached)
if link.url == cjson.null then
  return {'missing'}
end
if link.expires_ms ~= cjson.null and link.expires_ms <= tonumber(at) then
  return {'gone'}
end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], '*', 'code', ARGV[2], 'at', at, 'id', ARGV[3])
return {'found', link.url}
