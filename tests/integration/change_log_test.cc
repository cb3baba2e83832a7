// The change log (migrations/0010_risk_picture.sql) against a real PostgreSQL: a reader that follows
// cursors with Store::ReadPictureChanges sees every committed change exactly once, even when
// concurrent writers commit in another order than they took their sequence numbers, and never sees
// a rolled-back one.

#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <prometheus/registry.h>
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "integration/migrated_store.h"
#include "store/store.h"
#include "support/postgres.h"

namespace {

using vik::testing::FreshDatabase;

struct ChangeLogFixture {
  ChangeLogFixture() { store = vik::testing::OpenMigratedStore(db.dsn(), registry); }

  // Reads everything final after `cursor`, advancing it; the objects read, in order.
  std::vector<std::string> ReadAll(vik::store::ChangeCursor& cursor) {
    std::vector<std::string> out;
    pqxx::connection c(db.dsn());
    for (;;) {
      auto batch = store->ReadPictureChanges(cursor, 50);
      REQUIRE(batch.ok());
      if (batch->rows > 0) {
        pqxx::work w(c);
        const std::size_t before = out.size();
        std::string seen;
        for (const auto& r :
             w.exec_params("SELECT c.object, c.xid::text AS xid_text, c.seq FROM changes c"
                           " WHERE (c.xid, c.seq) > ($1::text::xid8, $2)"
                           " AND (c.xid, c.seq) <= ($3::text::xid8, $4) ORDER BY c.xid, c.seq",
                           std::to_string(cursor.xid), cursor.seq, std::to_string(batch->next.xid), batch->next.seq)) {
          out.push_back(r[0].as<std::string>());
          seen += r[1].as<std::string>() + "/" + r[2].as<std::string>() + " ";
        }
        // The reader consumed exactly the rows of (cursor, next]: no more, no fewer.
        INFO("cursor " << cursor.xid << "/" << cursor.seq << " next " << batch->next.xid << "/" << batch->next.seq
                       << " rows " << batch->rows << " seen " << seen);
        REQUIRE(out.size() - before == static_cast<std::size_t>(batch->rows));
      }
      REQUIRE(batch->next >= cursor);
      cursor = batch->next;
      if (batch->rows < 50) {
        return out;
      }
    }
  }

  FreshDatabase db;
  prometheus::Registry registry;
  std::unique_ptr<vik::store::Store> store;
};

// Reads until `want` objects came (other tests' transactions on the same PostgreSQL server hold the
// change log back for a moment: transaction ids are cluster-wide) or 30 s passed.
std::vector<std::string> ReadUntil(ChangeLogFixture& f, vik::store::ChangeCursor& cursor, std::size_t want) {
  std::vector<std::string> out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (out.size() < want && std::chrono::steady_clock::now() < deadline) {
    auto more = f.ReadAll(cursor);
    out.insert(out.end(), more.begin(), more.end());
    if (out.size() < want) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  return out;
}

void Insert(pqxx::work& w, const std::string& object) {
  w.exec_params("INSERT INTO changes (picture, kind, object) VALUES ('actual', 'test.change', $1)", object);
}

}  // namespace

TEST_CASE("a change committed late by a slower writer is not skipped by a reader that already moved on",
          "[integration][changes]") {
  ChangeLogFixture f;
  vik::store::ChangeCursor cursor;
  pqxx::connection slow_conn(f.db.dsn());
  pqxx::connection fast_conn(f.db.dsn());
  pqxx::work slow(slow_conn);
  Insert(slow, "slow");  // takes its transaction id and sequence number first
  {
    pqxx::work fast(fast_conn);
    Insert(fast, "fast");
    fast.commit();
  }
  // "fast" is committed but not final: an older transaction may still commit before it.
  CHECK(f.ReadAll(cursor).empty());
  slow.commit();
  CHECK(ReadUntil(f, cursor, 2) == std::vector<std::string>{"slow", "fast"});
  CHECK(f.ReadAll(cursor).empty());
}

TEST_CASE("a rolled-back change is never read and does not hold readers back", "[integration][changes]") {
  ChangeLogFixture f;
  vik::store::ChangeCursor cursor;
  pqxx::connection a(f.db.dsn());
  {
    pqxx::work w(a);
    Insert(w, "rolled-back");
    w.abort();
  }
  pqxx::connection b(f.db.dsn());
  pqxx::work w(b);
  Insert(w, "kept");
  w.commit();
  CHECK(ReadUntil(f, cursor, 1) == std::vector<std::string>{"kept"});
}

TEST_CASE("concurrent writers committing out of order: a reader following cursors sees every change exactly once",
          "[integration][changes]") {
  ChangeLogFixture f;
  constexpr int kWriters = 4;
  constexpr int kPerWriter = 150;
  std::atomic<bool> done{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < kWriters; ++t) {
    writers.emplace_back([&f, t] {
      pqxx::connection c(f.db.dsn());
      std::mt19937 rng(static_cast<unsigned>(t));
      for (int i = 0; i < kPerWriter; ++i) {
        pqxx::work w(c);
        Insert(w, std::to_string(t) + "-" + std::to_string(i));
        // Hold the transaction open a random while so that commits overtake each other.
        std::this_thread::sleep_for(std::chrono::microseconds(rng() % 3000));
        if (i % 10 == 9) {
          w.abort();  // never to be read
        } else {
          w.commit();
        }
      }
    });
  }
  std::vector<std::string> read;
  vik::store::ChangeCursor cursor;
  std::thread reader([&] {
    while (!done) {
      auto batch = f.ReadAll(cursor);
      read.insert(read.end(), batch.begin(), batch.end());
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  for (auto& w : writers) {
    w.join();
  }
  done = true;
  reader.join();
  const std::size_t committed = static_cast<std::size_t>(kWriters * kPerWriter * 9 / 10);
  auto rest = ReadUntil(f, cursor, committed - std::min(committed, read.size()));
  read.insert(read.end(), rest.begin(), rest.end());

  const std::set<std::string> unique(read.begin(), read.end());
  CHECK(unique.size() == read.size());  // nothing twice
  CHECK(read.size() == committed);      // everything committed
  for (const auto& object : read) {
    const int i = std::stoi(object.substr(object.find('-') + 1));
    CHECK(i % 10 != 9);  // nothing rolled back
  }
  // Each writer's changes come in its commit order (its transactions run one after another).
  std::map<int, int> last;
  for (const auto& object : read) {
    const int t = std::stoi(object.substr(0, object.find('-')));
    const int i = std::stoi(object.substr(object.find('-') + 1));
    CHECK((last.count(t) == 0 || i > last[t]));
    last[t] = i;
  }
}

TEST_CASE("a cursor beyond this database's transactions (a restored dump) restarts from the warm-up snapshot",
          "[integration][changes]") {
  ChangeLogFixture f;
  vik::testing::ExecSql(f.db.dsn(), "UPDATE picture_state SET cursor_xid = '4000000000', cursor_seq = 7");
  const auto now = std::chrono::system_clock::now();
  auto warm = f.store->LoadPictureWarmup(now, now);
  REQUIRE(warm.ok());
  CHECK(warm->cursor_reset);
  CHECK(warm->cursor.xid < 4000000000u);
  CHECK(warm->cursor.seq == 0);
  // A change committed now is read from the reset cursor.
  {
    pqxx::connection c(f.db.dsn());
    pqxx::work w(c);
    Insert(w, "after-restore");
    w.commit();
  }
  vik::store::ChangeCursor cursor = warm->cursor;
  CHECK(ReadUntil(f, cursor, 1) == std::vector<std::string>{"after-restore"});
  // An ordinary cursor is kept as stored.
  vik::testing::ExecSql(f.db.dsn(), "UPDATE picture_state SET cursor_xid = '3', cursor_seq = 1");
  auto again = f.store->LoadPictureWarmup(now, now);
  REQUIRE(again.ok());
  CHECK_FALSE(again->cursor_reset);
  CHECK(again->cursor.xid == 3);
  CHECK(again->cursor.seq == 1);
}

TEST_CASE("changes are read in transaction-id order, also across a change in the number of digits",
          "[integration][changes]") {
  // Sorting the text form of the ids would read 10 before 9 (a bug once: an output column named
  // "xid" took over ORDER BY xid). Old transaction ids are written here directly.
  ChangeLogFixture f;
  vik::testing::ExecSql(f.db.dsn(),
                        "INSERT INTO changes (xid, picture, kind, object) VALUES ('100', 'actual', 'test.change', 'd'),"
                        " ('9', 'actual', 'test.change', 'a'), ('99', 'actual', 'test.change', 'c'),"
                        " ('10', 'actual', 'test.change', 'b')");
  vik::store::ChangeCursor cursor;
  CHECK(ReadUntil(f, cursor, 4) == std::vector<std::string>{"a", "b", "c", "d"});
  // One at a time: 9, then 10.
  auto first = f.store->ReadPictureChanges({}, 1);
  REQUIRE(first.ok());
  CHECK(first->next.xid == 9);
  auto second = f.store->ReadPictureChanges(first->next, 1);
  REQUIRE(second.ok());
  REQUIRE(second->rows == 1);
  CHECK(second->next.xid == 10);
}
