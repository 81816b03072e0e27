-- wrk script for tests/bench/readers_writers.sh: guests post comments to
-- one post, every body unique (run tag, thread, counter, random part),
-- every third a reply to one of the post's comments. Counts 201s and
-- keeps their comment ids, so the caller can check none was lost.
-- Environment: RW_POST (post key), RW_TAG (run tag), RW_PARENTS
-- (comma-separated comment ids), RW_OUT (file prefix for the results),
-- RW_REPLY_EVERY (3: every third is a reply; 1: all are, for mail.js).

local threads = {}

function setup(thread)
	thread:set("tid", #threads + 1)
	table.insert(threads, thread)
end

local key, tag, parents, counter, every
local names, emails = {}, {}
local first = { "Mina", "Tom", "Aiko", "Lars", "Priya", "Jonas", "Sofia",
	"Omar", "Hana", "Felix" }
local last = { "Park", "Okafor", "Tanaka", "Berg" }
-- Plain text about 300 bytes, with **bold**, a link or two paragraphs,
-- like the seeded ones; at most one link, under max_links.
local texts = {
	"Verification is what turns a statement into an agreement. Without " ..
	"inspectors on the ground both sides are left guessing, and the " ..
	"**sequencing** problem comes back: who gives first, and what does " ..
	"the other side get for waiting? The 1994 framework stalled on " ..
	"exactly that question, and so did the talks after it.",
	"I read the article twice. The part about phased, reciprocal steps " ..
	"is the most convincing, because small verified steps build the " ..
	"trust a grand bargain needs.\n\nStill, the history here is not " ..
	"encouraging, and the author could say more about what failed.",
	"There is a good summary of the earlier rounds at " ..
	"https://example.org/notes/six-party-talks which shows how often " ..
	"the declaration came before the verification and then fell apart. " ..
	"A freeze first, with inspectors, seems the only order that works.",
	"Sanctions relief as a reward for a freeze sounds reasonable on " ..
	"paper, but the allies in Seoul and Tokyo will want to know what is " ..
	"**verified** and by whom. Pressure alone did not work either; the " ..
	"question is which mix of pressure and promise does.",
}

function init(args)
	key = os.getenv("RW_POST")
	every = tonumber(os.getenv("RW_REPLY_EVERY") or "3")
	tag = os.getenv("RW_TAG")
	parents = {}
	for id in string.gmatch(os.getenv("RW_PARENTS") or "", "%d+") do
		parents[#parents + 1] = id
	end
	for i = 1, #first do
		for j = 1, #last do
			names[#names + 1] = first[i] .. " " .. last[j]
			emails[#emails + 1] = string.lower(first[i] .. "." ..
			    last[j]) .. "@example.org"
		end
	end
	counter = 0
	created, bytes, created_ids, other = 0, 0, {}, {}
	math.randomseed(198 * 1000 + tid)
	wrk.method = "POST"
	wrk.headers["Content-Type"] = "application/json"
end

function request()
	counter = counter + 1
	local text = texts[counter % #texts + 1]:gsub("\n", "\\n")
	local body = string.format("%s [%s t%d n%d r%06d]", text, tag, tid,
	    counter, math.random(0, 999999))
	local reply = ""
	if counter % every == 0 and #parents > 0 then
		reply = ',"parent_id":' .. parents[math.random(#parents)]
	end
	local a = (tid * 13 + counter) % #names + 1
	return wrk.format(nil, nil, nil, string.format(
	    '{"post":"%s","body":"%s","author_name":"%s","author_email":"%s"%s}',
	    key, body, names[a], emails[a], reply))
end

function response(status, headers, body)
	bytes = bytes + #body
	if status == 201 then
		created = created + 1
		created_ids[created] = body:match('"id":(%d+)') or "0"
	else
		other[status] = (other[status] or 0) + 1
	end
end

function done(summary, latency, requests)
	local out = os.getenv("RW_OUT")
	local ids = io.open(out .. ".ids", "w")
	local n, b, st = 0, 0, {}
	for _, t in ipairs(threads) do
		n = n + t:get("created")
		b = b + t:get("bytes")
		for _, id in ipairs(t:get("created_ids")) do
			ids:write(id, "\n")
		end
		for s, k in pairs(t:get("other")) do
			st[s] = (st[s] or 0) + k
		end
	end
	ids:close()
	local others = {}
	for s, k in pairs(st) do
		others[#others + 1] = s .. ":" .. k
	end
	table.sort(others)
	local f = io.open(out .. ".post", "w")
	f:write("created=", n, "\n", "bytes=", b, "\n", "other=",
	    table.concat(others, " "), "\n")
	f:close()
end
