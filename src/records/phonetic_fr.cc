#include "records/phonetic_fr.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <vector>

namespace vigie::records {
namespace {

constexpr int kMaxLetters = 512;

constexpr bool IsVowel(char c) {
  return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U' || c == 'Y';
}
constexpr bool IsSoftener(char c) { return c == 'E' || c == 'I' || c == 'Y'; }
constexpr bool IsNasalConsonant(char c) { return c == 'N' || c == 'M'; }

// One name being encoded. `len` counts all letters; `n` is the pronounced
// length once silent final letters are trimmed. Lookahead that decides how a
// consonant sounds (C/G softening, nasal vowels, S between vowels) reads the
// full spelling via Raw(); lookahead about vowel sequences reads At(), which
// stops at `n`, so a mute final E never makes a glide.
class Encoder {
 public:
  Encoder(const char* s, int len) : s_(s), len_(len), n_(len) {}

  std::string Run() {
    TrimSilentEnding();
    int i = 0;
    while (i < n_) i = Step(i);
    if (out_len_ == 0) Emit(s_[0]);  // all letters silent ("H"): keep something
    return std::string(out_.data(), static_cast<size_t>(out_len_));
  }

 private:
  char Raw(int k) const { return k < len_ ? s_[k] : '\0'; }
  char At(int k) const { return k < n_ ? s_[k] : '\0'; }
  char Prev(int i) const { return i > 0 ? s_[i - 1] : '\0'; }

  // Appends a code; a repeat of the last code collapses (doubled letters).
  void Emit(char code) {
    if (out_len_ > 0 && out_[out_len_ - 1] == code) return;
    out_[out_len_++] = code;
  }
  // Emits one or two codes and returns `resume`, the index of the next sound.
  int Emit(char code, int resume) {
    Emit(code);
    return resume;
  }
  int Emit(char first, char second, int resume) {
    Emit(first);
    Emit(second);
    return resume;
  }

  // N or M at k closes a nasal vowel unless a vowel, a second N/M or an H
  // follows in the spelling (ANNE, BONNET, MARTINE are not nasal).
  bool IsNasalAt(int k) const {
    if (!IsNasalConsonant(Raw(k))) return false;
    const char next = Raw(k + 1);
    return !(IsVowel(next) || IsNasalConsonant(next) || next == 'H');
  }

  // Length of a "ILL" / final "IL" group at k (the yod of FEUILLE, BAIL), else 0.
  int YodLength(int k) const {
    if (At(k) != 'I' || At(k + 1) != 'L') return 0;
    if (At(k + 2) == 'L') return 3;
    return k + 2 == n_ ? 2 : 0;
  }

  // Silent endings, applied once each, in order:
  //  1. final S (not SS); final X after U or OI (-AUX -EUX -OUX -OIX); final Z
  //     after a vowel (-EZ);
  //  2. -AULT/-OULT lose LT; else final T/D/P after a vowel, N, M or R (but ID
  //     keeps its D: DAVID); else C/G after N (BLANC, LONG); else -IER -YER -GER
  //     -HER lose R;
  //  3. then a final E goes: mute E and folded É cannot be told apart, so -E,
  //     -É, -ES, -ER, -EZ, -ET, -ED all end the same way (DUPRE = DUPRET = DUPREZ).
  // Names of one or two letters keep everything.
  void TrimSilentEnding() {
    if (n_ < 3) return;
    const char last = s_[n_ - 1];
    const char prev = s_[n_ - 2];
    if ((last == 'S' && prev != 'S') || (last == 'Z' && IsVowel(prev)) ||
        (last == 'X' && (prev == 'U' || (prev == 'I' && s_[n_ - 3] == 'O')))) {
      --n_;
    }
    if (n_ >= 4 && s_[n_ - 1] == 'T' && s_[n_ - 2] == 'L' && s_[n_ - 3] == 'U' &&
        (s_[n_ - 4] == 'A' || s_[n_ - 4] == 'O')) {
      n_ -= 2;
    } else if (n_ >= 3) {
      const char l = s_[n_ - 1];
      const char p = s_[n_ - 2];
      if ((l == 'T' || l == 'D' || l == 'P') && (IsVowel(p) || IsNasalConsonant(p) || p == 'R') &&
          !(l == 'D' && p == 'I')) {
        --n_;
      } else if ((l == 'C' || l == 'G') && p == 'N') {
        --n_;
      } else if (l == 'R' && p == 'E' && n_ >= 4) {
        // -IER -YER -GER -CHER are French and silent (OLIVIER, ROGER, BOUCHER);
        // after other consonants the R is sounded (KADER, WAGNER, MULLER).
        const char before = s_[n_ - 3];
        if (before == 'I' || before == 'Y' || before == 'G' || before == 'H') --n_;
      }
    }
    if (n_ >= 3 && s_[n_ - 1] == 'E') --n_;
  }

  // Encodes the sound starting at i; returns the index of the next sound.
  int Step(int i) {
    const char c = s_[i];
    const char next = Raw(i + 1);
    switch (c) {
      case 'A':
        if (next == 'U') return Emit('O', i + 2);
        if (next == 'I' || next == 'Y') {
          if (IsNasalAt(i + 2)) return Emit('i', i + 3);         // AIN AIM
          if (YodLength(i + 1) > 0) return Emit('A', i + 1);     // AILL: yod next
          if (IsVowel(At(i + 2))) return Emit('A', 'I', i + 2);  // MAYARD
          return Emit('E', i + 2);                               // AI AY
        }
        if (IsNasalAt(i + 1)) return Emit('a', i + 2);  // AN AM
        return Emit('A', i + 1);
      case 'E':
        if (next == 'A' && Raw(i + 2) == 'U') return Emit('O', i + 3);  // EAU
        if ((Prev(i) == 'G' || Prev(i) == 'J') && (next == 'A' || next == 'O')) {
          return i + 1;  // GEORGES, JEAN: E only softens the G
        }
        if (next == 'U') return Emit('E', i + 2);  // EU
        if (next == 'I' || next == 'Y') {
          if (IsNasalAt(i + 2)) return Emit('i', i + 3);  // EIN EIM
          if (YodLength(i + 1) > 0) return Emit('E', i + 1);
          if (IsVowel(At(i + 2))) return Emit('E', 'I', i + 2);
          return Emit('E', i + 2);
        }
        if (IsNasalAt(i + 1)) {  // EN EM; IEN is the nasal of IN (JULIEN)
          return Emit(Prev(i) == 'I' || Prev(i) == 'Y' ? 'i' : 'a', i + 2);
        }
        return Emit('E', i + 1);
      case 'I':
      case 'Y': {
        const char p = Prev(i);
        const int yod = YodLength(i);
        if (yod > 0 && (p == 'A' || p == 'E' || p == 'O' || p == 'U')) {
          return Emit('I', i + yod);  // FEUILLE, MAILLARD, GUILLAUME
        }
        if (IsNasalAt(i + 1)) return Emit('i', i + 2);  // IN IM YN
        return Emit('I', i + 1);
      }
      case 'O':
        if (next == 'U') {
          if (YodLength(i + 2) > 0 || At(i + 2) == 'Y') return Emit('U', i + 2);  // OUILL OUY
          if (IsVowel(At(i + 2))) return Emit('V', i + 2);                        // OUA OUI: [w]
          return Emit('U', i + 2);
        }
        if (next == 'I' || next == 'Y') {                      // OI OY: [wa]
          if (IsNasalAt(i + 2)) return Emit('V', 'i', i + 3);  // OIN
          Emit('V');
          Emit('A');
          if (next == 'Y' && IsVowel(At(i + 2))) return Emit('I', i + 2);  // ROYER
          return YodLength(i + 1) > 0 ? i + 1 : i + 2;
        }
        if (next == 'E' && Raw(i + 2) == 'U') return Emit('E', i + 3);  // OEU
        if (IsNasalAt(i + 1)) return Emit('o', i + 2);                  // ON OM
        return Emit('O', i + 1);
      case 'U':
        if (IsNasalAt(i + 1)) return Emit('i', i + 2);  // UN UM
        return Emit('Y', i + 1);
      case 'B':
        if (next == 'V') return i + 1;  // LEFEBVRE
        return Emit('B', i + 1);
      case 'C':
        if (next == 'H') {
          const char after = Raw(i + 2);
          return Emit(after == 'R' || after == 'L' ? 'K' : 'X', i + 2);  // CHRISTIAN
        }
        if (next == 'K' || next == 'Q') return i + 1;  // CK, CQU
        if (next == 'C') {
          if (IsSoftener(Raw(i + 2))) return Emit('K', 'S', i + 2);  // ACCENT
          return Emit('K', i + 2);
        }
        if (IsSoftener(next)) return Emit('S', i + 1);
        // Ç is folded to C before it gets here; FRANCOIS(E) is the one case
        // common enough to restore.
        if (next == 'O' && Raw(i + 2) == 'I' && Raw(i + 3) == 'S') return Emit('S', i + 1);
        return Emit('K', i + 1);
      case 'D':
        if (next == 'T') return i + 1;  // SCHMIDT
        return Emit('D', i + 1);
      case 'G':
        if (next == 'N') return Emit('N', 'I', i + 2);                       // GN
        if (next == 'U' && IsSoftener(Raw(i + 2))) return Emit('G', i + 2);  // GUE GUI
        if (IsSoftener(next)) return Emit('J', i + 1);
        if (next == 'H') return Emit('G', i + 2);
        return Emit('G', i + 1);
      case 'H':
        return i + 1;  // silent (CH, PH, SH, TH are handled by their first letter)
      case 'P':
        if (next == 'H') return Emit('F', i + 2);
        return Emit('P', i + 1);
      case 'Q':
        Emit('K');
        return next == 'U' ? i + 2 : i + 1;
      case 'S':
        if (next == 'C' && Raw(i + 2) == 'H') return Emit('X', i + 3);  // SCH
        if (next == 'H') return Emit('X', i + 2);
        if (next == 'C' && IsSoftener(Raw(i + 2))) return Emit('S', i + 2);
        if (next == 'S') return Emit('S', i + 2);
        if (IsVowel(Prev(i)) && IsVowel(next)) return Emit('Z', i + 1);  // ROSE
        return Emit('S', i + 1);
      case 'T':
        if (next == 'H') return Emit('T', i + 2);
        return Emit('T', i + 1);
      case 'W':
        return Emit('V', i + 1);
      case 'X':
        Emit('K');
        Emit('S');
        if (next == 'C' && IsSoftener(Raw(i + 2))) return i + 2;  // EXCEPT
        return i + 1;
      default:  // F J K L M N R V Z sound as written
        return Emit(c, i + 1);
    }
  }

  const char* s_;
  int len_;
  int n_;
  std::array<char, 2 * kMaxLetters + 4> out_;  // filled up to out_len_
  int out_len_ = 0;
};

}  // namespace

std::string PhoneticKeyFr(std::string_view compact_name) {
  std::array<char, kMaxLetters> letters;  // filled up to len
  int len = 0;
  for (char ch : compact_name) {
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    if (ch < 'A' || ch > 'Z') continue;
    if (len == kMaxLetters) break;
    letters[static_cast<size_t>(len++)] = ch;
  }
  if (len == 0) return {};
  return Encoder(letters.data(), len).Run();
}

int EditDistance(std::string_view a, std::string_view b, int cap) {
  cap = std::max(cap, 0);
  const auto la = static_cast<int>(a.size());
  const auto lb = static_cast<int>(b.size());
  if (std::abs(la - lb) > cap) return cap + 1;
  if (la == 0 || lb == 0) return std::min(std::max(la, lb), cap + 1);

  // Three rolling rows of the OSA matrix; on the stack for name-sized inputs.
  constexpr int kStackColumns = 64;
  std::array<int, 3 * kStackColumns> stack_rows;
  std::vector<int> heap_rows;
  int* rows = stack_rows.data();
  if (lb + 1 > kStackColumns) {
    heap_rows.resize(3 * static_cast<size_t>(lb + 1));
    rows = heap_rows.data();
  }
  const int width = lb + 1;
  int* before = rows;           // row i-2
  int* prev = rows + width;     // row i-1
  int* cur = rows + 2 * width;  // row i
  for (int j = 0; j <= lb; ++j) prev[j] = j;
  for (int i = 1; i <= la; ++i) {
    cur[0] = i;
    int row_min = i;
    for (int j = 1; j <= lb; ++j) {
      const int cost = a[static_cast<size_t>(i - 1)] == b[static_cast<size_t>(j - 1)] ? 0 : 1;
      int v = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[static_cast<size_t>(i - 1)] == b[static_cast<size_t>(j - 2)] &&
          a[static_cast<size_t>(i - 2)] == b[static_cast<size_t>(j - 1)]) {
        v = std::min(v, before[j - 2] + 1);
      }
      cur[j] = v;
      row_min = std::min(row_min, v);
    }
    // Every later cell is at least this row's minimum (a swap reaching back two
    // rows costs 1 on top of a cell that bounds this row), so stop early.
    if (row_min > cap) return cap + 1;
    int* const recycled = before;
    before = prev;
    prev = cur;
    cur = recycled;
  }
  return std::min(prev[lb], cap + 1);
}

}  // namespace vigie::records
