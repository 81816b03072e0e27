#!/usr/bin/env python3
"""Writes a synthetic Disqus export for the import benchmark (import.sh).

    gen_disqus.py [-n COMMENTS] [-t THREADS] [-s SEED] [-e EXPECT.json] OUT.xml

The file follows Disqus's export format (see
tests/integration/fixtures/disqus.xml): a category, every <thread>, then
every <post>. Threads vary in size (a few long ones, many short); each
one's comments form a tree five levels deep (20% at the top, then 30%,
25%, 15% and 10% of the thread at depths 1 to 4, each reply under a
random comment of the level above), and are written deepest level
first, so that every reply comes BEFORE its parent. Bodies are HTML of
100-600 bytes (paragraphs, an <em>, a link, an entity, some non-ASCII),
with names, e-mail addresses, IPv4 and IPv6 addresses (a few missing or
invalid), about 3% spam and 3% deleted.

The file is written as it is made, one thread's comments in memory at a
time. The counts an import should report go to EXPECT.json: read (all
comments), dropped (deleted comments whose replies are all dropped too:
the importer leaves them out), imported (read - dropped), posts (threads
that keep a comment), and the shape of the trees.
"""
import argparse
import json
import random
import sys
import time
import unicodedata

FIRST = ("Alice Bob Carol Dan Eve Frank Grace Heidi Ivan Judy Mallory Niaj "
         "Olivia Peggy Rupert Sybil Trent Victor Walter Zoë José Łukasz "
         "Søren Amélie Dmitri Aiko Chen Priya Fatima Kwame Ingrid Mateo "
         "Nadia Oskar Yara").split()
LAST = ("Smith Jones Müller García Rossi Dubois Kowalski Nakamura Okafor "
        "Larsen Novak Silva Brown Schmidt Ivanova Hansen O'Brien Kim Patel "
        "Nguyen Cohen Fischer Moreau Bianchi Andersson").split()
DOMAINS = ("example.org example.com example.net mail.example.org "
           "post.example.de").split()
WORDS = ("the a of and to in that it is was for on are as with his they at be "
         "this have from or one had by word but not what all were we when your "
         "can said there use an each which she do how their if will up other "
         "about out many then them these so some her would make like him into "
         "time has look two more write go see number no way could people my "
         "than first water been call who oil its now find long down day did get "
         "come made may part treaty border inspection verification sequencing "
         "framework ceasefire archive footnote argument evidence source "
         "interview policy budget election minister reform council committee "
         "déjà café naïve über façade").split()
LINKS = ("https://en.wikipedia.org/wiki/Verification",
         "https://www.example.org/reports/2019/annual.pdf",
         "http://archive.example.net/1994/framework.html?page=2&lang=en",
         "https://news.example.com/2021/03/14/the-long-read/")
EMOJI = ("🙂", "👍", "—", "…", "“quoted”")

# Share of a thread's comments at depths 0..4.
LEVELS = (0.20, 0.30, 0.25, 0.15, 0.10)


def sentence(rng, n):
    words = rng.choices(WORDS, k=n)
    words[0] = words[0].capitalize()
    return " ".join(words) + rng.choice(".?.!.")


def body(rng):
    """HTML of 100-600 bytes: paragraphs, an <em>, maybe a link."""
    target = rng.randint(100, 600)
    paras, size = [], -1
    while size < target:
        p = [sentence(rng, rng.randint(5, 14)) for _ in range(rng.randint(1, 3))]
        text = " ".join(p)
        size += len(text.encode()) + 8
        paras.append(text)
    # Decorations on a random paragraph each.
    i = rng.randrange(len(paras))
    words = paras[i].split(" ")
    j = rng.randrange(len(words))
    words[j] = "<em>" + words[j] + "</em>"
    paras[i] = " ".join(words)
    if rng.random() < 0.6:
        i = rng.randrange(len(paras))
        paras[i] += ' See <a href="%s" rel="nofollow noopener">this</a>.' % (
            rng.choice(LINKS).replace("&", "&amp;"))
    if rng.random() < 0.3:
        i = rng.randrange(len(paras))
        paras[i] += " Q&amp;A " + rng.choice(EMOJI)
    html = "\n".join("<p>" + p + "</p>" for p in paras)
    raw = html.encode()
    if len(raw) > 600:
        # Cut on a paragraph boundary when one fits, else mid-sentence
        # (between words, outside tags), closing the paragraph.
        cut = html.rfind("</p>", 0, 580)
        if cut > 90:
            html = html[:cut + 4]
        else:
            k = html.rfind(" ", 0, 540)
            while k > 0 and html.rfind("<", 0, k) > html.rfind(">", 0, k):
                k = html.rfind(" ", 0, k)
            html = html[:k] + ".</p>"
    return html


def ip(rng):
    r = rng.random()
    if r < 0.02:
        return ""
    if r < 0.03:
        return "unknown"
    if r < 0.25:
        return "2001:db8:%x:%x::%x" % (rng.randrange(65536),
                                       rng.randrange(65536),
                                       rng.randrange(1, 65536))
    return "%d.%d.%d.%d" % (rng.randint(1, 223), rng.randrange(256),
                            rng.randrange(256), rng.randint(1, 254))


def thread_sizes(rng, n, threads):
    """threads sizes summing to n, each at least 1, skewed (Pareto)."""
    if threads > n:
        threads = n
    w = [min(rng.paretovariate(1.2), 60.0) for _ in range(threads)]
    total = sum(w)
    rest = n - threads
    sizes = [1 + int(rest * x / total) for x in w]
    left = n - sum(sizes)
    order = sorted(range(threads), key=lambda i: -w[i])
    for k in range(left):
        sizes[order[k % threads]] += 1
    return sizes


def level_counts(s):
    """How many of a thread's s comments sit at each depth, every level
    having a parent level."""
    c = [max(1, round(s * LEVELS[0]))] + [0] * 4
    left = s - c[0]
    for k in range(1, 5):
        if c[k - 1] == 0 or left == 0:
            break
        share = sum(LEVELS[k:])
        c[k] = left if k == 4 else min(left, round(left * LEVELS[k] / share))
        left -= c[k]
    # What the rounding left: under the deepest level that has a parent.
    k = max(i for i in range(5) if i == 0 or c[i - 1] > 0)
    c[k] += left
    return c


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def ascii_fold(s):
    s = unicodedata.normalize("NFKD", s.lower()).replace("ł", "l")
    return s.encode("ascii", "ignore").decode().replace("'", "")


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=200000, help="comments")
    ap.add_argument("-t", type=int, default=2000, help="threads")
    ap.add_argument("-s", type=int, default=14, help="random seed")
    ap.add_argument("-e", help="write the expected counts (JSON) here")
    ap.add_argument("out", help="the export to write ('-': stdout)")
    a = ap.parse_args()

    rng = random.Random(a.s)
    sizes = thread_sizes(rng, a.n, a.t)
    out = (sys.stdout if a.out == "-" else
           open(a.out, "w", encoding="utf-8", buffering=1 << 20))
    w = out.write
    w('<?xml version="1.0" encoding="utf-8"?>\n'
      '<disqus xmlns="http://disqus.com" '
      'xmlns:dsq="http://disqus.com/disqus-internals" '
      'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
      'xsi:schemaLocation="http://disqus.com/api/schemas/1.0/disqus.xsd '
      'http://disqus.com/api/schemas/1.0/disqus-internals.xsd">\n'
      '  <category dsq:id="100">\n    <forum>benchblog</forum>\n'
      '    <title>General</title>\n    <isDefault>true</isDefault>\n'
      '  </category>\n')
    day = 86400
    t0 = 1262304000  # 2010-01-01
    thread_at = []
    for i in range(len(sizes)):
        at = t0 + i * (day * 3 // 2) + rng.randrange(day)
        thread_at.append(at)
        title = sentence(rng, rng.randint(3, 8))[:-1]
        if i % 7 == 0:
            title += " & more"
        y, mo = 2010 + i // 480, 1 + (i // 40) % 12
        w('  <thread dsq:id="%d">\n    <id>post-%d</id>\n'
          '    <forum>benchblog</forum>\n    <category dsq:id="100"/>\n'
          '    <link>https://blog.example.org/%d/%02d/post-%d/</link>\n'
          '    <title>%s</title>\n    <message/>\n'
          '    <createdAt>%s</createdAt>\n    <author>\n'
          '      <name>Blog Owner</name>\n      <isAnonymous>false</isAnonymous>\n'
          '      <username>owner</username>\n    </author>\n'
          '    <isClosed>%s</isClosed>\n    <isDeleted>false</isDeleted>\n'
          '  </thread>\n' % (
              5000000 + i, i, y, mo, i, esc(title), iso(at),
              "true" if i % 10 == 0 else "false"))

    next_id = 3000000000
    counts = dict(read=0, dropped=0, deleted=0, spam=0, replies=0,
                  posts=0, threads=len(sizes), by_depth=[0] * 5,
                  deleted_kept=0, invalid_ip=0, kept_by_depth=[0] * 5,
                  kept_replies=0)
    for i, s in enumerate(sizes):
        levels = level_counts(s)
        # The tree: ids in creation order, parents first.
        nodes = []  # (id, depth, parent index or -1, at)
        by_level = []
        for d, k in enumerate(levels):
            mine = []
            for _ in range(k):
                if d == 0:
                    parent, at = -1, thread_at[i] + rng.randrange(30 * day)
                else:
                    parent = rng.choice(by_level[d - 1])
                    at = nodes[parent][3] + rng.randrange(60, 5 * day)
                mine.append(len(nodes))
                nodes.append((next_id, d, parent, at))
                next_id += 1
            by_level.append(mine)
        deleted = [rng.random() < 0.03 for _ in nodes]
        spam = [not deleted[j] and rng.random() < 0.03
                for j in range(len(nodes))]
        # Dropped: deleted with every reply dropped (children come after
        # their parents in nodes, so walk backwards).
        keeps = [False] * len(nodes)  # has a kept reply
        dropped = [False] * len(nodes)
        for j in range(len(nodes) - 1, -1, -1):
            dropped[j] = deleted[j] and not keeps[j]
            if not dropped[j] and nodes[j][2] >= 0:
                keeps[nodes[j][2]] = True
        n_dropped = sum(dropped)
        counts["read"] += len(nodes)
        counts["dropped"] += n_dropped
        counts["deleted"] += sum(deleted)
        counts["deleted_kept"] += sum(deleted) - n_dropped
        counts["spam"] += sum(spam)
        counts["posts"] += n_dropped < len(nodes)
        for d, k in enumerate(levels):
            counts["by_depth"][d] += k
        for j, node in enumerate(nodes):
            if not dropped[j]:
                counts["kept_by_depth"][node[1]] += 1
                counts["kept_replies"] += node[2] >= 0
        counts["replies"] += len(nodes) - levels[0]
        # Deepest level first; within a level, newest first.
        for d in range(4, -1, -1):
            for j in reversed(by_level[d]):
                cid, _, parent, at = nodes[j]
                first, last = rng.choice(FIRST), rng.choice(LAST)
                addr = ip(rng)
                if addr in ("", "unknown"):
                    counts["invalid_ip"] += 1
                email = ascii_fold("%s.%s%d@%s" % (
                    first, last, rng.randrange(100), rng.choice(DOMAINS)))
                if rng.random() < 0.05:
                    email = ""
                w('  <post dsq:id="%d">\n    <id/>\n'
                  '    <message><![CDATA[%s]]></message>\n'
                  '    <createdAt>%s</createdAt>\n'
                  '    <isDeleted>%s</isDeleted>\n    <isSpam>%s</isSpam>\n'
                  '    <author>\n      <email>%s</email>\n'
                  '      <name>%s</name>\n'
                  '      <isAnonymous>true</isAnonymous>\n    </author>\n'
                  '    <ipAddress>%s</ipAddress>\n'
                  '    <thread dsq:id="%d"/>\n%s  </post>\n' % (
                      cid, body(rng), iso(at),
                      "true" if deleted[j] else "false",
                      "true" if spam[j] else "false",
                      esc(email), esc(first + " " + last), addr,
                      5000000 + i,
                      '    <parent dsq:id="%d"/>\n' % nodes[parent][0]
                      if parent >= 0 else ""))
    w("</disqus>\n")
    if out is not sys.stdout:
        out.close()
    counts["imported"] = counts["read"] - counts["dropped"]
    if a.e:
        with open(a.e, "w") as f:
            json.dump(counts, f)
    else:
        json.dump(counts, sys.stderr)
        sys.stderr.write("\n")


if __name__ == "__main__":
    main()
