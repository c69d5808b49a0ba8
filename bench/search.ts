/**
 * Listing search at a million listings: GET /v1/listings through the HTTP API (one API process, as
 * `npm run start:api` runs it) for the shapes clients send, beside the naive way timed with plain
 * `pg` (ILIKE over title and description, OFFSET paging), and the plans PostgreSQL picks for the
 * SQL the app itself sends.
 *
 *   npm run bench:search   (BENCH_SECONDS=10 BENCH_CLIENTS=8 BENCH_LISTINGS=1000000 by default)
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { availableParallelism } from 'node:os';
import pg from 'pg';
import { LISTING_VIEW_COLUMNS, listingViewParams } from '../domain/listings/listing-view.ts';
import { searchListings, type ListingSearch } from '../domain/listings/search-listings.ts';
import { benchDatabase, closedLoop, percentile, startApiProcess, summarize } from './support.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
const LISTINGS = Number(process.env.BENCH_LISTINGS ?? 1_000_000);
/** One client, no HTTP: long enough for a few runs of the slowest naive query. */
const DIRECT_SECONDS = Math.max(2, SECONDS / 2);
const SELLERS = 3_000;
const CHUNK = 50_000;
const PAGE = 20; // the API's default page size
const DEEP_PAGE = 50;
const SLOW_MS = 50;
const JWT_SECRET = 'bench-secret-bench-secret-bench-secret-0123';

// ---------------------------------------------------------------------------------------------
// Vocabulary. Per category (ids 1-15 of the first migration): ten nouns, then three compounds,
// most common first (titles pick early words more often).
const WORDS_PER_CATEGORY = 13;
const CATEGORY_WORDS = [
  ['아이폰', '갤럭시', '노트북', '태블릿', '이어폰', '모니터', '키보드', '마우스', '카메라', '스마트워치', '아이폰15', '게이밍노트북', '무선이어폰'],
  ['냉장고', '세탁기', '청소기', '에어컨', '선풍기', '전자레인지', '공기청정기', '가습기', '제습기', '드라이기', '무선청소기', '로봇청소기', '미니냉장고'],
  ['의자', '책상', '소파', '침대', '식탁', '책장', '서랍장', '옷장', '조명', '거울', '사무용의자', '원목식탁', '가죽소파'],
  ['유모차', '카시트', '아기옷', '장난감', '아기띠', '젖병', '보행기', '그림책', '기저귀', '아기침대', '아기의자', '휴대용유모차', '유아카시트'],
  ['원피스', '블라우스', '코트', '니트', '스커트', '청바지', '가디건', '패딩', '치마', '자켓', '롱패딩', '트위드자켓', '캐시미어코트'],
  ['가방', '지갑', '운동화', '시계', '벨트', '셔츠', '정장', '모자', '구두', '백팩', '명품가방', '가죽가방', '남성지갑'],
  ['향수', '립스틱', '화장품', '선크림', '마스크팩', '고데기', '쿠션', '토너', '에센스', '팔레트', '전동칫솔', '수분크림', '헤어드라이어'],
  ['자전거', '텐트', '골프채', '요가매트', '아령', '러닝화', '등산화', '스키', '헬멧', '보드', '캠핑의자', '전기자전거', '캠핑텐트'],
  ['닌텐도', '레고', '기타', '피아노', '음반', '게임기', '보드게임', '피규어', '드론', '카드', '닌텐도스위치', '전자피아노', '플레이스테이션5'],
  ['소설', '참고서', '문제집', '만화책', '전집', '동화책', '잡지', '사전', '교재', '에세이', '토익문제집', '영어동화책', '수능참고서'],
  ['상품권', '기프티콘', '콘서트', '관람권', '숙박권', '입장권', '뮤지컬', '쿠폰', '주유권', '식사권', '백화점상품권', '콘서트티켓', '놀이공원입장권'],
  ['커피', '라면', '견과류', '홍삼', '비타민', '꿀', '참기름', '과자', '통조림', '올리브유', '캡슐커피', '홍삼정', '유기농꿀'],
  ['사료', '간식', '켄넬', '캣타워', '방석', '하네스', '목줄', '배변패드', '스크래쳐', '이동장', '강아지사료', '고양이간식', '강아지방석'],
  ['몬스테라', '다육이', '화분', '선인장', '스투키', '고무나무', '난초', '분갈이흙', '행운목', '허브', '토분화분', '미니선인장', '대형화분'],
  ['공구', '우산', '캐리어', '담요', '액자', '재봉틀', '수납함', '전동드릴', '돗자리', '보온병', '여행가방', '캠핑용품', '공구세트'],
];
const EXTRAS = ['충전기', '케이블', '박스', '설명서', '보증서', '파우치', '케이스', '사은품', '거치대', '커버', '필름', '리모컨'];
const CONDITIONS = ['새상품', '미개봉', '거의새것', '급처', '정품', 'S급', 'A급', '상태좋은', '깨끗한', '한정판', '빈티지', '리퍼'];
const BRANDS = ['Apple', 'Samsung', 'LG', 'Sony', 'Nike', 'Adidas', 'IKEA', 'Dyson', 'Lego', 'Nintendo', 'Canon', 'Bose', 'Zara', 'Uniqlo', 'Philips', 'Gucci', 'Xiaomi'];
const TITLE_ENDINGS = ['팝니다', '판매합니다', '판매', '급처분', '양도합니다', '싸게 팔아요', '내놓습니다'];
const PLACES = ['강남', '홍대입구', '잠실', '판교', '신촌', '건대입구', '서면', '수원', '일산', '정자', '목동', '노원'];
const CLOSINGS = ['네고는 어렵습니다.', '가격 제안 환영합니다.', '쿨거래 하시면 조금 빼드려요.', '문의는 채팅 주세요.', '교환은 받지 않습니다.'];
const ENGLISH = ['Good condition.', 'Barely used, like new.', 'Original box included.', 'Pick up only.', 'Free delivery in Seoul.'];
/** In one listing out of 10,000. */
const RARE_WORD = '축음기';

/** 을/를, 이/가, 은/는: the first after a final consonant, the second after a vowel (or a digit). */
function withParticle(word: string, [afterConsonant, afterVowel]: [string, string]): string {
  const code = word.charCodeAt(word.length - 1);
  const consonant = code >= 0xac00 && code <= 0xd7a3 && (code - 0xac00) % 28 !== 0;
  return word + (consonant ? afterConsonant : afterVowel);
}

const WORDS = CATEGORY_WORDS.flat();
const OBJECT: [string, string] = ['을', '를'];
const SUBJECT: [string, string] = ['이', '가'];
const TOPIC: [string, string] = ['은', '는'];

/** Columns of the one-row `v` in SEED_LISTINGS, sent as parameters $3... */
const VOCABULARY: Record<string, string[] | string> = {
  words: WORDS,
  words_object: WORDS.map((w) => withParticle(w, OBJECT)),
  words_subject: WORDS.map((w) => withParticle(w, SUBJECT)),
  words_topic: WORDS.map((w) => withParticle(w, TOPIC)),
  extras_object: EXTRAS.map((w) => withParticle(w, OBJECT)),
  conditions: CONDITIONS,
  brands: BRANDS,
  endings: TITLE_ENDINGS,
  places: PLACES,
  closings: CLOSINGS,
  english: ENGLISH,
  rare: RARE_WORD,
  rare_object: withParticle(RARE_WORD, OBJECT),
};
const vocabularyColumns = Object.entries(VOCABULARY)
  .map(([name, value], i) => `$${i + 3}::${Array.isArray(value) ? 'text[]' : 'text'} as ${name}`)
  .join(', ');

/** A version-4-shaped uuid from a seller's number, so listings can name sellers without a lookup. */
const sellerId = (number: string) => `overlay(overlay(md5('seller' || ${number}) placing '4' from 13) placing '8' from 17)::uuid`;
const pick = (array: string) => `v.${array}[1 + floor(random() * cardinality(v.${array}))::int]`;
const sometimes = (p: number, text: string) => `case when random() < ${p} then ${text} end`;

/** Listings numbered $1..$2: a random category, a title word from it (skewed), another word, a seller. */
const SEED_LISTINGS = `
  insert into listings (id, seller_id, category_id, title, description, image_urls, sale_type, price, status, like_count, created_at, updated_at)
  select gen_random_uuid(), ${sellerId('r.seller')}, r.c,
    concat_ws(' ', ${sometimes(0.35, pick('conditions'))}, ${sometimes(0.25, pick('brands'))}, v.words[r.w1],
      case when r.rare then v.rare end, ${pick('endings')}),
    concat_ws(' ',
      v.words_object[r.w1] || ' ' || (1 + floor(random() * 24))::int || '개월 정도 사용했습니다.',
      ${sometimes(0.5, `v.words_topic[r.w1] || ' 생활기스 외에는 상태 좋습니다.'`)},
      ${sometimes(0.4, `v.words_subject[r.w2] || ' 필요하신 분께 저렴하게 드려요.'`)},
      ${sometimes(0.6, `${pick('extras_object')} || ' 같이 드립니다.'`)},
      ${sometimes(0.4, `'직거래는 ' || ${pick('places')} || '역 근처에서 가능하고 택배 거래도 됩니다.'`)},
      ${sometimes(0.3, `'구매한 지 ' || (1 + floor(random() * 5))::int || '년 되었고 박스와 영수증 있습니다.'`)},
      case when r.rare then '오래된 ' || v.rare_object || ' 정리합니다.' end,
      ${sometimes(0.3, pick('closings'))},
      ${sometimes(0.15, pick('english'))}),
    array['https://img.gavel.example/listings/' || r.n || '/1.jpg'],
    'fixed',
    (round(exp(ln(1000) + random() * ln(2000)) / 100) * 100)::bigint,
    case when r.s < 0.85 then 'on_sale' when r.s < 0.9 then 'reserved' else 'sold' end,
    floor(random() ^ 4 * 50)::int,
    r.created, r.created
  from (select ${vocabularyColumns}) v, (
    select n, c,
      (c - 1) * ${WORDS_PER_CATEGORY} + 1 + floor(${WORDS_PER_CATEGORY} * random() ^ 2)::int as w1,
      (c - 1) * ${WORDS_PER_CATEGORY} + 1 + floor(${WORDS_PER_CATEGORY} * random())::int as w2,
      n % 10000 = 7 as rare,
      1 + floor(random() * ${SELLERS})::int as seller,
      random() as s,
      now() - random() * interval '365 days' as created
    from (select n, 1 + floor(random() * 15)::int as c from generate_series($1::int, $2::int) n offset 0) numbered
    offset 0
  ) r`;

// ---------------------------------------------------------------------------------------------
const db = await benchDatabase('search');
const sql = new pg.Pool({ connectionString: db.url, max: 4 });
const platform = db.orm.em.getPlatform();
let api: Awaited<ReturnType<typeof startApiProcess>> | undefined;

let cleaning: Promise<void> | undefined;
const cleanUp = () =>
  (cleaning ??= (async () => {
    if (api && api.child.exitCode === null && api.child.signalCode === null) await api.stop();
    await sql.end();
    await db.drop();
  })());
// A million listings take gigabytes; an interrupted run must not leave them behind.
process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  console.log(`${label}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

/**
 * Like a bulk load: the secondary indexes are dropped, the rows inserted on two connections (two
 * cores) and the indexes rebuilt from their own definitions, the GIN index beside the b-trees.
 */
async function seed() {
  await sql.query(
    `insert into users (id, phone, password_hash, nickname)
     select ${sellerId('n')}, '+8210' || lpad(n::text, 8, '0'), 'not-a-login', '판매자' || n
     from generate_series(1, $1::int) n`,
    [SELLERS],
  );
  const { rows: indexes } = await sql.query<{ name: string; definition: string; gin: boolean }>(
    `select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as definition, am.amname = 'gin' as gin
     from pg_index i join pg_class c on c.oid = i.indexrelid join pg_am am on am.oid = c.relam
     where i.indrelid = 'listings'::regclass and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)`,
  );
  for (const index of indexes) await sql.query(`drop index ${index.name}`);

  await timed(`inserted ${LISTINGS.toLocaleString('en')} listings`, async () => {
    const chunks = Array.from({ length: Math.ceil(LISTINGS / CHUNK) }, (_, i) => [i * CHUNK + 1, Math.min(LISTINGS, (i + 1) * CHUNK)]);
    await Promise.all(
      [0, 1].map(async () => {
        for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) await sql.query(SEED_LISTINGS, [...chunk, ...Object.values(VOCABULARY)]);
      }),
    );
  });
  await timed(`rebuilt ${indexes.length} indexes`, () =>
    Promise.all(
      [indexes.filter((i) => i.gin), indexes.filter((i) => !i.gin)].map(async (lane) => {
        const connection = await sql.connect();
        try {
          await connection.query(`set maintenance_work_mem = '1GB'`);
          for (const index of lane) await connection.query(index.definition);
        } finally {
          connection.release();
        }
      }),
    ),
  );
  await timed('vacuum analyze', () => sql.query('vacuum (analyze) listings, users'));
  const { rows } = await sql.query<{ table: string; search_index: string }>(
    `select pg_size_pretty(pg_total_relation_size('listings')) as table, pg_size_pretty(pg_relation_size('listings_search_idx')) as search_index`,
  );
  console.log(`listings with indexes and TOAST: ${rows[0]!.table}, of which listings_search_idx ${rows[0]!.search_index}`);
}

/** The share of listings whose title or description contains each word, in one pass. */
async function shares(words: string[]): Promise<Map<string, number>> {
  const columns = words.map((_, i) => `avg((l.title || ' ' || l.description ilike $${i + 1})::int) as "${i}"`);
  const { rows } = await sql.query<Record<string, string>>(`select ${columns.join(', ')} from listings l`, words.map((w) => `%${w}%`));
  return new Map(words.map((w, i) => [w, Number(rows[0]![i])]));
}

/** The SQL text the app sends for a search (MikroORM inlines the parameters), captured unexecuted. */
async function appSql(search: ListingSearch): Promise<string> {
  let captured = '';
  const capture = {
    execute: async (query: string, params: unknown[]) => {
      // The search first asks PostgreSQL to normalise the words; answer that for real and
      // capture the search statement itself.
      if (query.includes('to_tsvector')) return (await sql.query(platform.formatQuery(query, params))).rows;
      captured = platform.formatQuery(query, params);
      return [];
    },
  } as unknown as EntityManager;
  await searchListings(capture, search);
  return captured;
}

/** What one would write without the search column: no index can answer a leading wildcard. */
const naiveSql = (word: string) =>
  platform.formatQuery(
    `select ${LISTING_VIEW_COLUMNS} from listings l join users u on u.id = l.seller_id
     where l.title || ' ' || l.description ilike ?
     order by l.created_at desc, l.id desc limit ?`,
    [...listingViewParams(undefined), `%${word}%`, PAGE + 1],
  );

const queryString = (search: Partial<ListingSearch>) =>
  new URLSearchParams(Object.entries(search).map(([key, value]): [string, string] => [key, String(value)])).toString();

async function getPage(search: Partial<ListingSearch>): Promise<{ status: number; nextCursor: string | null }> {
  const response = await fetch(`${api!.baseUrl}/v1/listings?${queryString(search)}`);
  const body = (await response.json()) as { nextCursor?: string | null };
  if (response.status >= 500) throw new Error(`server error ${response.status} ${JSON.stringify(body)}`);
  return { status: response.status, nextCursor: body.nextCursor ?? null };
}

/** Follows nextCursor the way a client scrolling down would. */
async function cursorOfPage(search: ListingSearch, page: number): Promise<string> {
  let cursor: string | undefined;
  for (let i = 1; i < page; i++) {
    const { nextCursor } = await getPage(cursor ? { ...search, cursor } : search);
    if (!nextCursor) throw new Error(`${queryString(search)} has fewer than ${page} pages`);
    cursor = nextCursor;
  }
  return cursor!;
}

async function httpScenario(name: string, search: ListingSearch) {
  const first = await getPage(search); // also warms the cache
  if (first.status !== 200) throw new Error(`${name}: status ${first.status}`);
  const samples = await closedLoop(CLIENTS, SECONDS, async () => (await getPage(search)).status === 200);
  return summarize(name, samples, SECONDS);
}

async function directMs(query: string): Promise<{ p50: number; runs: number }> {
  await sql.query(query);
  const samples = await closedLoop(1, DIRECT_SECONDS, async () => {
    await sql.query(query);
    return true;
  });
  return { p50: percentile(samples.map((s) => s.ms).sort((a, b) => a - b), 50), runs: samples.length };
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Actual Total Time': number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  'Lossy Heap Blocks'?: number;
  'Sort Method'?: string;
  'Shared Hit Blocks': number;
  'Shared Read Blocks': number;
  'Parent Relationship'?: string;
  Plans?: PlanNode[];
}

function describeNode(node: PlanNode): string {
  const target = node['Index Name'] ? ` using ${node['Index Name']}` : node['Relation Name'] ? ` on ${node['Relation Name']}` : '';
  // Row counts are per loop (a parallel worker is a loop); these are totals.
  const total = (rows: number | undefined) => Math.round((rows ?? 0) * node['Actual Loops']);
  const extras = [
    `rows ${total(node['Actual Rows'])}`,
    node['Rows Removed by Filter'] ? `removed by filter ${total(node['Rows Removed by Filter'])}` : '',
    node['Rows Removed by Index Recheck'] ? `removed by recheck ${total(node['Rows Removed by Index Recheck'])}` : '',
    node['Lossy Heap Blocks'] ? `lossy blocks ${node['Lossy Heap Blocks']}` : '',
    node['Sort Method'] ? node['Sort Method'] : '',
    `${node['Actual Total Time'].toFixed(1)} ms`,
  ].filter(Boolean);
  return `${node['Node Type']}${target} (${extras.join(', ')})`;
}

/**
 * The top node, how `listings` is reached (not counting per-row subplans), buffers and time; the
 * whole plan too when it is slow and `whenSlow` asks for it.
 */
async function explain(name: string, query: string, whenSlow: 'full plan' | 'summary' = 'full plan'): Promise<number> {
  const { rows } = await sql.query<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number; JIT?: { Timing: { Total: number } } }] }>(
    `explain (analyze, buffers, format json) ${query}`,
  );
  const { Plan: top, 'Execution Time': ms, JIT: jit } = rows[0]!['QUERY PLAN'][0];
  const path: string[] = [];
  const visit = (node: PlanNode) => {
    if (node['Parent Relationship'] === 'SubPlan') return;
    const index = node['Index Name'] ?? '';
    if (node['Relation Name'] === 'listings' || index.startsWith('listings_') || ['Sort', 'Gather', 'Gather Merge'].includes(node['Node Type'])) path.push(describeNode(node));
    node.Plans?.forEach(visit);
  };
  visit(top);
  const jitNote = jit ? `, of which JIT ${jit.Timing.Total.toFixed(1)} ms` : '';
  console.log(`\n${name}: ${ms.toFixed(1)} ms${jitNote}, buffers hit ${top['Shared Hit Blocks']} read ${top['Shared Read Blocks']}`);
  console.log(`  top: ${describeNode(top)}`);
  for (const line of path) console.log(`  ${line}`);
  if (ms > SLOW_MS && whenSlow === 'full plan') {
    const text = await sql.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${query}`);
    console.log(`  SLOW (over ${SLOW_MS} ms), full plan:\n${text.rows.map((r) => `    ${r['QUERY PLAN']}`).join('\n')}`);
  }
  return ms;
}

const round = (n: number) => Number(n.toPrecision(3));
const percent = (share: number) => `${(share * 100).toFixed(share < 0.001 ? 3 : 1)}%`;

try {
  console.log(`seeding ${LISTINGS.toLocaleString('en')} listings from ${SELLERS.toLocaleString('en')} sellers, ${WORDS.length + EXTRAS.length} nouns`);
  await timed('seeded in total', seed);

  const words = [
    { kind: 'very common word', word: '직거래' },
    { kind: 'common word', word: '아이폰' },
    { kind: 'rare word', word: RARE_WORD },
    { kind: 'inside compounds', word: '의자' },
    { kind: 'word + particle', word: '자전거를' },
    { kind: 'no match', word: '타자기' },
  ];
  const share = await timed('counted word shares (one ILIKE scan)', () => shares(words.map((w) => w.word)));
  const newest: ListingSearch = { sort: 'newest', limit: PAGE };
  const wordSearches = words.map(({ kind, word }) => ({
    name: `q=${word} (${kind}, ${percent(share.get(word)!)})`,
    word,
    search: { ...newest, q: word } satisfies ListingSearch,
  }));

  api = await startApiProcess({
    NODE_ENV: 'production',
    DATABASE_URL: db.url,
    JWT_SECRET,
    METRICS_TOKEN: 'bench-metrics-token-0123',
    REDIS_KEY_PREFIX: `gavel_bench_${process.pid}`,
    DATABASE_POOL_MAX: '10',
  });
  const deepSearches = [
    { name: `newest, page ${DEEP_PAGE} (keyset)`, word: undefined, search: newest },
    { name: `q=아이폰, page ${DEEP_PAGE} (keyset)`, word: '아이폰', search: wordSearches[1]!.search },
  ];
  const deep: ((typeof deepSearches)[number] & { cursor: string })[] = [];
  for (const d of deepSearches) deep.push({ ...d, cursor: await cursorOfPage(d.search, DEEP_PAGE) });

  const scenarios: { name: string; search: ListingSearch }[] = [
    { name: 'newest, first page', search: newest },
    ...wordSearches,
    { name: 'category 1 + 100k-500k won, price_asc', search: { sort: 'price_asc', limit: PAGE, categoryId: 1, minPrice: 100_000, maxPrice: 500_000 } },
    ...deep.map((d) => ({ name: d.name, search: { ...d.search, cursor: d.cursor } })),
    { name: 'status=reserved, newest', search: { ...newest, status: 'reserved' } },
  ];

  const http = [];
  for (const s of scenarios) http.push(await httpScenario(s.name, s.search));
  const { rows: server } = await sql.query<{ version: string }>(`select split_part(version(), ' ', 2) as version`);
  console.log(`\nHTTP GET /v1/listings: ${CLIENTS} concurrent clients, ${SECONDS} s per scenario, node ${process.version}, PostgreSQL ${server[0]!.version}, ${availableParallelism()} cores\n`);
  console.table(http);

  // Without HTTP, one client: the app's SQL against what one would write without the search column.
  const matching = [];
  for (const w of wordSearches) {
    const app = await directMs(await appSql(w.search));
    const naive = await directMs(naiveSql(w.word));
    matching.push({ query: w.name, 'app p50 ms': round(app.p50), 'ILIKE p50 ms': round(naive.p50), 'ILIKE runs': naive.runs, 'ILIKE/app': round(naive.p50 / app.p50) });
  }
  const paging = [];
  for (const d of deep) {
    const offset = (DEEP_PAGE - 1) * PAGE;
    const keyset = await directMs(await appSql({ ...d.search, cursor: d.cursor }));
    const skipping = await directMs(`${await appSql(d.search)} offset ${offset}`);
    paging.push({ query: d.name, 'keyset p50 ms': round(keyset.p50), [`offset ${offset} p50 ms`]: round(skipping.p50), 'offset/keyset': round(skipping.p50 / keyset.p50) });
  }
  console.log(`\nplain pg, no HTTP, one client, ${DIRECT_SECONDS} s per query: the app's SQL vs ILIKE '%word%' order by created_at desc limit ${PAGE + 1}\n`);
  console.table(matching);
  console.log(`\npage ${DEEP_PAGE}: keyset (the app's SQL with the cursor) vs the first page's SQL with an offset\n`);
  console.table(paging);

  console.log('\nEXPLAIN (ANALYZE, BUFFERS) of the SQL the app sends');
  const slow: string[] = [];
  for (const s of scenarios) if ((await explain(s.name, await appSql(s.search))) > SLOW_MS) slow.push(s.name);
  console.log('\n\nEXPLAIN (ANALYZE, BUFFERS) of the ILIKE baseline');
  for (const w of wordSearches) await explain(`ILIKE ${w.word}`, naiveSql(w.word), 'summary');
  console.log(slow.length ? `\nslow (over ${SLOW_MS} ms in EXPLAIN): ${slow.join('; ')}` : `\nno query over ${SLOW_MS} ms in EXPLAIN`);
} finally {
  await cleanUp();
}
