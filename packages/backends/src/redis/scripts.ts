/**
 * The Lua that the Redis cache runs server side. Each script is one atomic round trip; ioredis
 * (defineCommand) sends it by SHA and loads it on the first NOSCRIPT.
 */

/**
 * INCR that sets the TTL only when it creates the key. EXISTS rather than "INCR returned 1",
 * because a permanent key holding '0' also increments to 1 and must stay permanent.
 * KEYS[1] counter; ARGV[1] ttl in ms (positive integer).
 */
export const INCR_WITH_TTL_LUA = `
local existed = redis.call('EXISTS', KEYS[1])
local value = redis.call('INCR', KEYS[1])
if existed == 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return value
`;

/**
 * Token bucket with continuous refill, the same arithmetic as LocalTokenBuckets, timed by the
 * server's clock (TIME) so every gateway sharing the bucket agrees whatever its own clock says.
 * State is a hash {tokens, at}; numbers are written with %.17g so no precision is lost between
 * calls. The key expires once the bucket would be full again: an expired bucket comes back
 * full, which is what it would have refilled to anyway.
 * KEYS[1] bucket; ARGV[1] rate per second; ARGV[2] burst.
 * Returns {ok 1|0, retryAfterMs, remaining}.
 */
export const TAKE_TOKEN_LUA = `
if redis.replicate_commands then redis.replicate_commands() end
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
else
  local elapsed = now - at
  if elapsed < 0 then elapsed = 0 end
  tokens = math.min(burst, tokens + elapsed * rate / 1000)
  if now > at then at = now end
end
local ok = 0
local retry = 0
local remaining = 0
if tokens >= 1 then
  tokens = tokens - 1
  ok = 1
  remaining = math.floor(tokens)
else
  retry = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'at', string.format('%.17g', at))
local ttl = math.ceil((burst - tokens) * 1000 / rate) + 1000
if ttl > 1e12 then ttl = 1e12 end
redis.call('PEXPIRE', KEYS[1], string.format('%d', ttl))
return {ok, retry, remaining}
`;

export type TakeTokenReply = [ok: number, retryAfterMs: number, remaining: number];

/** The commands defineCommand adds to a client, typed (ioredis cannot infer them). */
export interface CacheScripts {
  twilioLabIncrWithTtl(key: string, ttlMs: number): Promise<number>;
  twilioLabTakeToken(key: string, ratePerSec: number, burst: number): Promise<TakeTokenReply>;
}

export const CACHE_SCRIPT_DEFINITIONS = {
  twilioLabIncrWithTtl: { numberOfKeys: 1, lua: INCR_WITH_TTL_LUA },
  twilioLabTakeToken: { numberOfKeys: 1, lua: TAKE_TOKEN_LUA },
} as const;
