// The words the catalog generator builds products from. Brands are invented (no trademarks); the
// Vietnamese keeps its diacritics and the Chinese is simplified, as real marketplace listings are.

export const LANGUAGES = ['en', 'vi', 'zh'] as const;
export type Language = (typeof LANGUAGES)[number];
export type Phrases = Readonly<Record<Language, readonly string[]>>;

export interface ProductKind {
  id: string;
  category: string;
  /** Relative frequency in the catalog. */
  weight: number;
  names: Phrases;
  brands: readonly string[];
  /** Price range in US dollars; other currencies are converted from it. */
  usd: readonly [number, number];
  tags: readonly string[];
  /** Description sentences; `{brand}`, `{model}`, `{name}`, `{a_name}`, `{color}`, `{material}`, `{n}` are filled in. */
  features: Phrases;
  emoji: readonly string[];
  materials: readonly string[];
  /** Extra attributes: key → possible values. */
  attributes: Readonly<Record<string, readonly string[]>>;
  sizes?: readonly string[];
  /** No brand/model in the title: the title is made by `titleMaker` (books). */
  titleMaker?: 'book';
}

export const COLORS: ReadonlyArray<Readonly<Record<Language, string>>> = [
  { en: 'Black', vi: 'Đen', zh: '黑色' },
  { en: 'White', vi: 'Trắng', zh: '白色' },
  { en: 'Midnight Blue', vi: 'Xanh đen', zh: '午夜蓝' },
  { en: 'Silver', vi: 'Bạc', zh: '银色' },
  { en: 'Sage Green', vi: 'Xanh lá nhạt', zh: '鼠尾草绿' },
  { en: 'Red', vi: 'Đỏ', zh: '红色' },
  { en: 'Beige', vi: 'Be', zh: '米色' },
  { en: 'Graphite', vi: 'Xám than', zh: '石墨灰' },
  { en: 'Pink', vi: 'Hồng', zh: '粉色' },
  { en: 'Navy', vi: 'Xanh navy', zh: '藏青色' },
  { en: 'Yellow', vi: 'Vàng', zh: '黄色' },
  { en: 'Brown', vi: 'Nâu', zh: '棕色' },
];

export const GENERIC_TAGS = [
  'bestseller',
  'new arrival',
  'gift idea',
  'eco-friendly',
  'limited edition',
  'sale',
  'free shipping',
];
export const LOCAL_TAGS: Readonly<Record<Language, readonly string[]>> = {
  en: [],
  vi: ['chính hãng', 'giao nhanh', 'giá tốt'],
  zh: ['正品', '包邮', '新品'],
};

export const OPENERS: Phrases = {
  en: [
    'Meet the {brand} {model}: {a_name} built for everyday use.',
    'The {brand} {model} is {a_name} that gets the basics right.',
    'Our customers keep coming back to the {brand} {model}, {a_name} with nothing to prove.',
    'Designed by {brand}, the {model} is {a_name} for people who use their things every day.',
  ],
  vi: [
    '{brand} {model} là {name} dành cho nhu cầu sử dụng hằng ngày.',
    'Giới thiệu {name} {brand} {model}: bền bỉ, tiện lợi và dễ sử dụng.',
    '{name} {brand} {model} được nhiều khách hàng tin dùng.',
  ],
  zh: [
    '{brand} {model}{name}，专为日常使用而设计。',
    '这款{brand} {model}{name}做工扎实，使用方便。',
    '{brand}出品的{model}{name}，深受顾客好评。',
  ],
};

export const GENERIC_SENTENCES: Phrases = {
  en: [
    'Ships within one business day from our regional warehouse.',
    'Backed by a {n}-year limited warranty and friendly support.',
    'Free returns within 30 days if it is not right for you.',
    'Packed in recyclable cardboard with no single-use plastic.',
    'Check the size guide before ordering; most customers take their usual size.',
    'Makes a thoughtful gift, and we can add a note at checkout.',
    'Wipe clean with a soft, damp cloth; do not use harsh detergents.',
    'Every unit is inspected by hand before it leaves the warehouse.',
    'Thousands of five-star reviews from verified buyers.',
    'Compatible accessories and spare parts are sold separately.',
    'The color may look slightly different depending on your screen.',
    'Designed in small batches and tested for months before launch.',
    'Order before 2 pm for same-day dispatch on weekdays.',
    'Part of our lineup for {n} seasons running, with small improvements every year.',
    'Customers often pair it with other items from the same collection.',
  ],
  vi: [
    'Giao hàng toàn quốc, nhận hàng trong 2–4 ngày làm việc.',
    'Bảo hành chính hãng {n} năm, đổi trả miễn phí trong 7 ngày.',
    'Sản phẩm được kiểm tra kỹ trước khi đóng gói và giao đến bạn.',
    'Đóng gói cẩn thận, thích hợp làm quà tặng cho người thân.',
    'Vệ sinh bằng khăn mềm ẩm, không dùng chất tẩy mạnh.',
    'Màu sắc thực tế có thể chênh lệch nhẹ do ánh sáng khi chụp.',
    'Hàng có sẵn tại kho Hà Nội và Thành phố Hồ Chí Minh.',
    'Hỗ trợ thanh toán khi nhận hàng (COD) trên toàn quốc.',
    'Hàng nghìn khách hàng đã đánh giá năm sao cho sản phẩm này.',
    'Thiết kế hiện đại, phù hợp với nhiều phong cách khác nhau.',
  ],
  zh: [
    '全国包邮，下单后48小时内发货。',
    '官方正品，享受{n}年质保，七天无理由退换。',
    '每件商品出库前均经过人工质检。',
    '包装精美，适合作为礼物送给亲朋好友。',
    '请用柔软的湿布擦拭，勿使用强力清洁剂。',
    '由于拍摄光线不同，实物颜色可能略有差异。',
    '数千位买家给出五星好评。',
    '简约现代的设计，适合多种生活场景。',
    '配件及替换零件需另行购买。',
    '工作日下午两点前下单，当天发货。',
  ],
};

/** Sentences in another language, slipped into a few English listings (marketplaces mix them). */
export const FOREIGN_ASIDES: readonly string[] = [
  'Giao hàng nhanh toàn quốc.',
  'Hàng chính hãng, bảo hành đầy đủ.',
  '全国包邮，正品保证。',
  '支持七天无理由退货。',
];

export const GENERIC_EMOJI = ['⭐', '🔥', '✨', '🎁', '💯', '🆕'];

export const BOOK_WORDS: Readonly<
  Record<Language, { adjectives: readonly string[]; nouns: readonly string[] }>
> = {
  en: {
    adjectives: [
      'Silent',
      'Last',
      'Hidden',
      'Northern',
      'Quiet',
      'Golden',
      'Broken',
      'Distant',
      'Salt',
      'Paper',
      'Midnight',
      'Small',
    ],
    nouns: [
      'Harbor',
      'Orchard',
      'River',
      'Lantern',
      'Garden',
      'Kingdom',
      'Winter',
      'Signal',
      'Island',
      'Letters',
      'Atlas',
      'Kitchen',
    ],
  },
  vi: {
    adjectives: ['lặng im', 'cuối cùng', 'bí ẩn', 'phương Bắc', 'vàng', 'xa xôi', 'nhỏ bé', 'mùa đông'],
    nouns: ['Bến cảng', 'Khu vườn', 'Dòng sông', 'Ngọn đèn', 'Vương quốc', 'Hòn đảo', 'Lá thư', 'Căn bếp'],
  },
  zh: {
    adjectives: ['寂静的', '最后的', '隐秘的', '北方的', '金色的', '遥远的', '小小的', '冬天的'],
    nouns: ['港湾', '果园', '河流', '灯笼', '花园', '王国', '岛屿', '来信'],
  },
};

const AUDIO_BRANDS = ['Nimbus Audio', 'Koda', 'Aurelia', 'Sonvari', 'Pulsewave', 'Tessellate'];
const TECH_BRANDS = ['Vantix', 'Orbly', 'Kestrel Labs', 'Novaline', 'Quillo'];
const KITCHEN_BRANDS = ['Hearthly', 'Copperleaf', 'Mẹ Nấu', 'Saigon Kitchen', 'Ironroot', '厨艺坊'];
const APPAREL_BRANDS = ['Northloom', 'Threadwell', 'Lúa Studio', 'Cotton Harbor', 'Stridewell', '素衣'];
const BEAUTY_BRANDS = ['Lumière Botanica', 'Dew & Co', 'Hoa Sen Beauty', 'Petalform', '花漾'];
const SPORT_BRANDS = ['Summitry', 'Fleetfoot', 'Corebound', 'Trailmark', 'Velocita'];
const HOME_BRANDS = ['Nestwell', 'Lampwick', 'Maple & Moss', 'Nhà Xinh Decor', 'Quietroom', '木舍'];
const TOY_BRANDS = ['Brickwise', 'Little Otter', 'Puzzlecraft', 'Tí Hon Toys', '童趣'];
const PUBLISHERS = [
  'Harbor Lane Press',
  'Northwind Books',
  'NXB Trẻ',
  'Kim Đồng',
  '人民文学出版社',
  'Pagefold',
];

export const KINDS: readonly ProductKind[] = [
  {
    id: 'headphones-anc',
    category: 'Electronics > Audio > Headphones',
    weight: 3,
    names: {
      en: [
        'wireless noise-cancelling over-ear headphones',
        'wireless noise cancelling headphones',
        'Bluetooth headphones with active noise cancellation',
        'wireless ANC headphones for travel',
      ],
      vi: ['tai nghe chụp tai không dây chống ồn', 'tai nghe Bluetooth chống ồn chủ động'],
      zh: ['无线降噪头戴式耳机', '主动降噪蓝牙耳机'],
    },
    brands: AUDIO_BRANDS,
    usd: [79, 449],
    tags: ['headphones', 'wireless', 'noise cancelling', 'anc', 'bluetooth', 'over-ear', 'travel'],
    features: {
      en: [
        'Active noise cancelling blocks out engine rumble, office chatter and street noise.',
        'Up to {n}0 hours of battery life with noise cancelling on, and a 10-minute charge gives five more.',
        'Bluetooth 5.3 with multipoint, so it switches between your laptop and your phone on its own.',
        'Memory-foam ear cushions wrapped in {material} stay comfortable on long flights.',
        'Transparency mode lets you hear announcements without taking the headphones off.',
        'Folds flat into the included hard case.',
        'Custom 40 mm drivers are tuned for deep, controlled bass and clear vocals.',
        'Four beam-forming microphones keep your voice clear on calls, even on a windy street.',
        'USB-C charging, plus a 3.5 mm cable for wired listening on planes.',
      ],
      vi: [
        'Công nghệ chống ồn chủ động loại bỏ tiếng động cơ, tiếng ồn văn phòng và đường phố.',
        'Thời lượng pin lên đến {n}0 giờ khi bật chống ồn, sạc nhanh 10 phút nghe thêm 5 giờ.',
        'Kết nối Bluetooth 5.3, hỗ trợ kết nối đồng thời hai thiết bị.',
        'Đệm tai mềm mại, đeo lâu không đau tai, thích hợp cho những chuyến bay dài.',
        'Chế độ xuyên âm giúp bạn nghe được thông báo mà không cần tháo tai nghe.',
      ],
      zh: [
        '主动降噪有效隔绝飞机引擎、办公室和街道的噪音。',
        '开启降噪续航长达{n}0小时，快充10分钟可听5小时。',
        '蓝牙5.3，支持双设备同时连接。',
        '记忆海绵耳罩，长时间佩戴依然舒适。',
        '通透模式让你无需摘下耳机即可听到广播。',
      ],
    },
    emoji: ['🎧', '🔇', '✈️'],
    materials: ['protein leather', 'vegan leather', 'velour', 'soft fabric'],
    attributes: {
      connectivity: ['Bluetooth 5.3', 'Bluetooth 5.2', 'Bluetooth 5.4'],
      battery_life: ['30 h', '40 h', '50 h', '60 h'],
      noise_cancelling: ['active', 'adaptive active'],
      style: ['over-ear', 'on-ear'],
    },
  },
  {
    id: 'headphones-wired',
    category: 'Electronics > Audio > Headphones',
    weight: 1,
    names: {
      en: [
        'wired studio monitor headphones',
        'closed-back wired headphones',
        'open-back headphones for mixing',
      ],
      vi: ['tai nghe kiểm âm có dây', 'tai nghe phòng thu có dây'],
      zh: ['有线监听耳机', '头戴式有线录音棚耳机'],
    },
    brands: AUDIO_BRANDS,
    usd: [19, 249],
    tags: ['headphones', 'wired', 'studio', 'monitoring'],
    features: {
      en: [
        'A flat, honest frequency response for mixing and editing.',
        'Detachable {n} m coiled cable with a 6.35 mm adapter.',
        'Rotating ear cups for one-ear monitoring.',
        'Replaceable ear pads in {material}.',
        'Low impedance, so it plays loud enough straight from a phone or laptop.',
      ],
      vi: [
        'Âm thanh trung thực, phù hợp cho thu âm và mix nhạc.',
        'Dây cáp rời dài {n} m kèm đầu chuyển 6.35 mm.',
        'Đệm tai có thể thay thế dễ dàng.',
      ],
      zh: [
        '频响平直，适合混音和剪辑。',
        '可拆卸{n}米弹簧线，附6.35毫米转接头。',
        '耳罩可旋转，方便单耳监听。',
      ],
    },
    emoji: ['🎧', '🎚️'],
    materials: ['velour', 'protein leather'],
    attributes: { impedance: ['32 Ω', '38 Ω', '80 Ω', '250 Ω'], style: ['closed-back', 'open-back'] },
  },
  {
    id: 'earbuds',
    category: 'Electronics > Audio > Earbuds',
    weight: 3,
    names: {
      en: [
        'true wireless earbuds',
        'noise-cancelling wireless earbuds',
        'sport wireless earbuds with ear hooks',
        'wireless earbuds with charging case',
      ],
      vi: ['tai nghe nhét tai không dây', 'tai nghe true wireless chống ồn'],
      zh: ['真无线蓝牙耳机', '降噪真无线耳机', '运动挂耳式蓝牙耳机'],
    },
    brands: AUDIO_BRANDS,
    usd: [19, 279],
    tags: ['earbuds', 'wireless', 'bluetooth', 'in-ear', 'tws'],
    features: {
      en: [
        'Eight hours per charge and {n}0 more in the pocketable case.',
        'IPX{n} sweat and water resistance for workouts and rainy commutes.',
        'Three sizes of silicone tips for a secure, comfortable seal.',
        'Touch controls for music, calls and your voice assistant.',
        'Low-latency mode keeps audio in sync with games and video.',
        'Wireless charging case with USB-C.',
      ],
      vi: [
        'Pin nghe 8 giờ, cộng thêm {n}0 giờ với hộp sạc.',
        'Chống nước chuẩn IPX{n}, thoải mái khi tập luyện.',
        'Điều khiển cảm ứng tiện lợi.',
      ],
      zh: [
        '单次续航8小时，配合充电盒总续航{n}0小时。',
        'IPX{n}级防水防汗，运动无忧。',
        '触控操作，轻松切换歌曲和接听电话。',
      ],
    },
    emoji: ['🎧', '🎶'],
    materials: ['silicone', 'plastic'],
    attributes: {
      connectivity: ['Bluetooth 5.3', 'Bluetooth 5.4'],
      water_resistance: ['IPX4', 'IPX5', 'IP55', 'IPX7'],
    },
  },
  {
    id: 'speaker',
    category: 'Electronics > Audio > Speakers',
    weight: 2.5,
    names: {
      en: [
        'portable Bluetooth speaker',
        'waterproof wireless speaker',
        'smart speaker with voice assistant',
        'bookshelf speakers (pair)',
      ],
      vi: ['loa Bluetooth di động', 'loa không dây chống nước'],
      zh: ['便携式蓝牙音箱', '防水无线音箱', '智能音箱'],
    },
    brands: AUDIO_BRANDS,
    usd: [25, 399],
    tags: ['speaker', 'bluetooth', 'portable', 'outdoor', 'party'],
    features: {
      en: [
        '360-degree sound fills a room or a campsite.',
        'IP67 waterproof and dustproof: it floats, and it survives the beach.',
        'Up to {n}0 hours of playtime on a single charge.',
        'Pair two speakers for stereo sound.',
        'A rugged {material} shell with a built-in carry strap.',
      ],
      vi: [
        'Âm thanh vòm 360 độ, phù hợp cho dã ngoại và tiệc tùng.',
        'Chống nước IP67, mang đi biển thoải mái.',
        'Thời lượng phát nhạc lên đến {n}0 giờ.',
      ],
      zh: [
        '360度环绕立体声，派对露营都适用。',
        'IP67级防水防尘，海边戏水也不怕。',
        '单次充电可播放{n}0小时。',
      ],
    },
    emoji: ['🔊', '🎶', '🏖️'],
    materials: ['fabric', 'silicone', 'aluminium'],
    attributes: {
      connectivity: ['Bluetooth 5.3', 'Wi-Fi + Bluetooth'],
      output_power: ['10 W', '20 W', '40 W', '60 W'],
    },
  },
  {
    id: 'keyboard',
    category: 'Electronics > Computers > Keyboards',
    weight: 1.5,
    names: {
      en: ['mechanical keyboard', 'wireless low-profile keyboard', '75% hot-swappable mechanical keyboard'],
      vi: ['bàn phím cơ', 'bàn phím không dây mỏng'],
      zh: ['机械键盘', '无线薄款键盘'],
    },
    brands: TECH_BRANDS,
    usd: [25, 199],
    tags: ['keyboard', 'mechanical', 'office', 'gaming'],
    features: {
      en: [
        'Hot-swappable switches: try linear, tactile or clicky without soldering.',
        'Connects over Bluetooth to three devices, or over a USB-C cable.',
        'A {material} case with gasket mounting for a soft, quiet typing feel.',
        'Per-key RGB lighting that you can switch off for the office.',
      ],
      vi: [
        'Switch có thể thay nóng, dễ dàng tùy chỉnh cảm giác gõ.',
        'Kết nối Bluetooth với ba thiết bị hoặc dây USB-C.',
      ],
      zh: ['支持热插拔轴体，手感随心更换。', '蓝牙三模连接，也可使用USB-C有线连接。'],
    },
    emoji: ['⌨️'],
    materials: ['aluminium', 'ABS plastic', 'PBT'],
    attributes: { layout: ['75%', 'TKL', 'full size', '65%'], switches: ['linear', 'tactile', 'clicky'] },
  },
  {
    id: 'mouse',
    category: 'Electronics > Computers > Mice',
    weight: 1.5,
    names: {
      en: ['wireless ergonomic mouse', 'lightweight gaming mouse', 'silent wireless mouse'],
      vi: ['chuột không dây công thái học', 'chuột gaming siêu nhẹ'],
      zh: ['无线人体工学鼠标', '轻量化游戏鼠标'],
    },
    brands: TECH_BRANDS,
    usd: [12, 129],
    tags: ['mouse', 'wireless', 'ergonomic', 'office'],
    features: {
      en: [
        'A sculpted shape that keeps your wrist in a natural position.',
        'Silent clicks for shared offices and late nights.',
        'Up to {n}0 days of use per charge.',
        'A precise sensor that tracks on glass and glossy desks.',
      ],
      vi: [
        'Thiết kế công thái học giúp cổ tay thoải mái.',
        'Nút bấm yên tĩnh, không làm phiền người xung quanh.',
      ],
      zh: ['人体工学设计，手腕更舒适。', '静音按键，办公更安静。'],
    },
    emoji: ['🖱️'],
    materials: ['plastic', 'rubberised plastic'],
    attributes: {
      dpi: ['1600', '4000', '8000', '26000'],
      connectivity: ['2.4 GHz + Bluetooth', 'USB-C wired'],
    },
  },
  {
    id: 'charger',
    category: 'Electronics > Phones > Chargers',
    weight: 1.5,
    names: {
      en: ['65 W USB-C GaN charger', 'magnetic wireless charger', '20,000 mAh power bank'],
      vi: ['củ sạc nhanh USB-C 65W', 'sạc dự phòng 20.000 mAh'],
      zh: ['65W氮化镓快充充电器', '20000毫安充电宝'],
    },
    brands: TECH_BRANDS,
    usd: [9, 79],
    tags: ['charger', 'usb-c', 'fast charging', 'travel'],
    features: {
      en: [
        'Charges a laptop and a phone at the same time.',
        'GaN components keep it half the size of a standard charger.',
        'Foldable plug for travel.',
        'Protection against overheating, over-current and short circuits.',
      ],
      vi: ['Sạc cùng lúc laptop và điện thoại.', 'Nhỏ gọn, chân cắm gập tiện mang theo.'],
      zh: ['可同时为笔记本电脑和手机充电。', '氮化镓技术，体积小巧，方便携带。'],
    },
    emoji: ['🔌', '⚡'],
    materials: ['polycarbonate', 'aluminium'],
    attributes: { output: ['20 W', '30 W', '65 W', '100 W'], ports: ['1× USB-C', '2× USB-C + 1× USB-A'] },
  },
  {
    id: 'phone-case',
    category: 'Electronics > Phones > Cases',
    weight: 2,
    names: {
      en: ['shockproof phone case', 'clear magnetic phone case', 'leather wallet phone case'],
      vi: ['ốp lưng điện thoại chống sốc', 'ốp lưng trong suốt'],
      zh: ['防摔手机壳', '透明磁吸手机壳'],
    },
    brands: TECH_BRANDS,
    usd: [9, 59],
    tags: ['phone case', 'protection', 'accessories'],
    features: {
      en: [
        'Raised edges protect the screen and camera when it lands face down.',
        'Drop-tested from {n} metres.',
        'A slim {material} shell that still fits in a pocket.',
        'Works with magnetic chargers and mounts.',
      ],
      vi: ['Viền nâng cao bảo vệ màn hình và camera.', 'Chống sốc khi rơi từ độ cao {n} mét.'],
      zh: ['边框加高，保护屏幕和镜头。', '通过{n}米跌落测试。'],
    },
    emoji: ['📱'],
    materials: ['TPU', 'polycarbonate', 'leather', 'silicone'],
    attributes: { compatible_with: ['6.1-inch phones', '6.7-inch phones', '6.3-inch phones'] },
  },
  {
    id: 'smartwatch',
    category: 'Electronics > Wearables',
    weight: 1.5,
    names: {
      en: ['smartwatch with GPS', 'fitness tracker band', 'AMOLED smartwatch with heart-rate monitor'],
      vi: ['đồng hồ thông minh', 'vòng đeo tay theo dõi sức khỏe'],
      zh: ['智能手表', '运动手环'],
    },
    brands: TECH_BRANDS,
    usd: [49, 499],
    tags: ['smartwatch', 'fitness', 'gps', 'wearable', 'health'],
    features: {
      en: [
        'Tracks heart rate, sleep and blood oxygen around the clock.',
        'Built-in GPS maps your runs and rides without your phone.',
        'Up to {n} days of battery life.',
        'Water resistant to 50 metres for swimming.',
        'A {material} case with a bright AMOLED display.',
      ],
      vi: ['Theo dõi nhịp tim, giấc ngủ và nồng độ oxy trong máu.', 'Tích hợp GPS, pin dùng đến {n} ngày.'],
      zh: ['全天候监测心率、睡眠和血氧。', '内置GPS，续航长达{n}天。'],
    },
    emoji: ['⌚', '🏃'],
    materials: ['aluminium', 'stainless steel', 'titanium'],
    attributes: { case_size: ['41 mm', '44 mm', '46 mm'], strap: ['silicone', 'nylon', 'metal'] },
  },
  {
    id: 'cookware',
    category: 'Kitchen > Cookware',
    weight: 2,
    names: {
      en: ['non-stick frying pan', 'cast-iron Dutch oven', 'stainless steel stockpot', 'carbon steel wok'],
      vi: ['chảo chống dính', 'nồi gang đúc', 'nồi inox'],
      zh: ['不粘煎锅', '铸铁珐琅锅', '不锈钢汤锅', '碳钢炒锅'],
    },
    brands: KITCHEN_BRANDS,
    usd: [19, 249],
    tags: ['cookware', 'kitchen', 'induction', 'cooking'],
    features: {
      en: [
        'Works on gas, electric, ceramic and induction hobs.',
        'Oven-safe up to {n}00 °F, lid included.',
        'Heavy {material} base heats evenly, without hot spots.',
        'Stay-cool riveted handle.',
        'Dishwasher-safe, though hand washing keeps it looking new.',
      ],
      vi: ['Dùng được cho mọi loại bếp, kể cả bếp từ.', 'Đáy dày truyền nhiệt đều, không bị cháy khét.'],
      zh: ['适用于燃气灶、电磁炉等各种炉具。', '加厚锅底，受热均匀。'],
    },
    emoji: ['🍳', '🥘'],
    materials: ['stainless steel', 'cast iron', 'aluminium', 'carbon steel'],
    attributes: { capacity: ['24 cm', '28 cm', '4.5 L', '6 L'] },
  },
  {
    id: 'kitchen-appliance',
    category: 'Kitchen > Appliances',
    weight: 3,
    names: {
      en: ['electric kettle', 'rice cooker', 'high-speed blender', 'espresso machine', 'air fryer'],
      vi: ['ấm siêu tốc', 'nồi cơm điện', 'máy xay sinh tố', 'nồi chiên không dầu'],
      zh: ['电热水壶', '电饭煲', '破壁料理机', '空气炸锅'],
    },
    brands: KITCHEN_BRANDS,
    usd: [19, 499],
    tags: ['kitchen', 'appliance', 'small appliance'],
    features: {
      en: [
        'Simple controls with {n} presets.',
        'Automatic shut-off and boil-dry protection.',
        'A {material} body that is easy to wipe clean.',
        'Removable parts go straight into the dishwasher.',
        'Quiet enough to use early in the morning.',
      ],
      vi: [
        'Tự động ngắt điện khi sôi hoặc cạn nước.',
        'Có {n} chế độ cài đặt sẵn, dễ sử dụng.',
        'Thân máy dễ vệ sinh.',
      ],
      zh: ['沸腾自动断电，防干烧保护。', '{n}种预设模式，操作简单。', '机身易于清洁。'],
    },
    emoji: ['☕', '🍚'],
    materials: ['stainless steel', 'BPA-free plastic', 'glass'],
    attributes: {
      power: ['800 W', '1200 W', '1500 W', '2200 W'],
      capacity: ['1.0 L', '1.7 L', '1.8 L', '5 L'],
    },
  },
  {
    id: 'knife',
    category: 'Kitchen > Knives',
    weight: 1.5,
    names: {
      en: ["chef's knife", 'santoku knife', 'knife block set'],
      vi: ['dao bếp', 'bộ dao nhà bếp'],
      zh: ['主厨刀', '三德刀', '刀具套装'],
    },
    brands: KITCHEN_BRANDS,
    usd: [15, 249],
    tags: ['knife', 'kitchen', 'cutlery'],
    features: {
      en: [
        'Forged from a single piece of {material}.',
        'Hand-sharpened to a {n}5-degree edge.',
        'A full-tang handle balanced for long prep sessions.',
      ],
      vi: ['Lưỡi dao sắc bén, cầm chắc tay.', 'Thép không gỉ, bền theo thời gian.'],
      zh: ['刀刃锋利，握感稳固。', '优质不锈钢，经久耐用。'],
    },
    emoji: ['🔪'],
    materials: ['German stainless steel', 'Damascus steel', 'high-carbon steel'],
    attributes: { blade_length: ['15 cm', '18 cm', '20 cm', '21 cm'] },
  },
  {
    id: 'tshirt',
    category: 'Apparel > Tops',
    weight: 3,
    names: {
      en: [
        'organic cotton t-shirt',
        'relaxed fit crew-neck tee',
        'linen button-up shirt',
        'merino wool base layer',
      ],
      vi: ['áo thun cotton', 'áo sơ mi linen', 'áo thun cổ tròn'],
      zh: ['纯棉T恤', '亚麻衬衫', '圆领短袖'],
    },
    brands: APPAREL_BRANDS,
    usd: [9, 79],
    tags: ['t-shirt', 'apparel', 'casual', 'summer'],
    features: {
      en: [
        'Made from {material} that gets softer with every wash.',
        'A relaxed fit with dropped shoulders.',
        'Pre-shrunk, so it keeps its size.',
        'Reinforced seams at the neck and shoulders.',
      ],
      vi: ['Chất liệu {material} thoáng mát, thấm hút mồ hôi.', 'Form rộng thoải mái, dễ phối đồ.'],
      zh: ['{material}面料，柔软透气。', '宽松版型，百搭舒适。'],
    },
    emoji: ['👕'],
    materials: ['organic cotton', 'linen', 'merino wool', 'cotton blend'],
    attributes: { gender: ['men', 'women', 'unisex'], fit: ['regular', 'relaxed', 'slim'] },
    sizes: ['XS', 'S', 'M', 'L', 'XL', 'XXL'],
  },
  {
    id: 'jacket',
    category: 'Apparel > Outerwear',
    weight: 2,
    names: {
      en: ['waterproof rain jacket', 'packable down jacket', 'fleece zip jacket'],
      vi: ['áo khoác chống nước', 'áo phao lông vũ'],
      zh: ['防水冲锋衣', '轻薄羽绒服'],
    },
    brands: APPAREL_BRANDS,
    usd: [39, 299],
    tags: ['jacket', 'outerwear', 'winter', 'outdoor'],
    features: {
      en: [
        'A waterproof, breathable shell with taped seams.',
        'Packs into its own pocket.',
        'An adjustable hood that works with or without a helmet.',
        'Lined with {material} for warmth without bulk.',
      ],
      vi: ['Chống nước, thoáng khí, thích hợp đi mưa.', 'Có thể gấp gọn vào túi.'],
      zh: ['防水透气，雨天出行无忧。', '可收纳进自身口袋，便于携带。'],
    },
    emoji: ['🧥', '🌧️'],
    materials: ['recycled nylon', 'down', 'fleece', 'polyester'],
    attributes: { gender: ['men', 'women', 'unisex'] },
    sizes: ['XS', 'S', 'M', 'L', 'XL'],
  },
  {
    id: 'jeans',
    category: 'Apparel > Bottoms',
    weight: 2,
    names: {
      en: ['slim fit stretch jeans', 'straight leg jeans', 'chino trousers'],
      vi: ['quần jeans ống đứng', 'quần kaki'],
      zh: ['修身弹力牛仔裤', '直筒牛仔裤'],
    },
    brands: APPAREL_BRANDS,
    usd: [29, 129],
    tags: ['jeans', 'denim', 'apparel'],
    features: {
      en: [
        '{material} with a little stretch for all-day comfort.',
        'Five-pocket styling.',
        'A mid-rise waist and a tapered leg.',
      ],
      vi: ['Vải co giãn nhẹ, mặc cả ngày thoải mái.', 'Thiết kế năm túi cổ điển.'],
      zh: ['微弹面料，全天舒适。', '经典五袋款设计。'],
    },
    emoji: ['👖'],
    materials: ['stretch denim', 'organic denim', 'cotton twill'],
    attributes: { gender: ['men', 'women'], fit: ['slim', 'straight', 'relaxed'] },
    sizes: ['28', '30', '32', '34', '36', '38'],
  },
  {
    id: 'sneakers',
    category: 'Apparel > Footwear',
    weight: 2.5,
    names: {
      en: [
        'lightweight running shoes',
        'everyday leather sneakers',
        'trail running shoes',
        'canvas slip-on shoes',
      ],
      vi: ['giày chạy bộ siêu nhẹ', 'giày sneaker da'],
      zh: ['轻量跑鞋', '真皮休闲运动鞋', '越野跑鞋'],
    },
    brands: SPORT_BRANDS,
    usd: [39, 199],
    tags: ['shoes', 'sneakers', 'running', 'footwear'],
    features: {
      en: [
        'A responsive foam midsole for easy miles.',
        'A breathable {material} upper.',
        'A grippy rubber outsole for wet pavements.',
        'A padded collar and tongue.',
      ],
      vi: ['Đế giữa êm ái, chạy bộ nhẹ nhàng.', 'Thân giày thoáng khí.'],
      zh: ['缓震中底，轻松跑更远。', '透气鞋面，清爽舒适。'],
    },
    emoji: ['👟', '🏃‍♀️'],
    materials: ['engineered mesh', 'leather', 'canvas', 'knit'],
    attributes: { gender: ['men', 'women', 'unisex'] },
    sizes: ['EU 36', 'EU 38', 'EU 40', 'EU 42', 'EU 44', 'EU 46'],
  },
  {
    id: 'book-fiction',
    category: 'Books > Fiction',
    weight: 3,
    names: { en: ['novel'], vi: ['tiểu thuyết'], zh: ['长篇小说'] },
    brands: PUBLISHERS,
    usd: [8, 29],
    tags: ['book', 'fiction', 'novel', 'paperback'],
    features: {
      en: [
        'A family story that moves between two continents and three generations.',
        'Shortlisted for a national book prize.',
        'The author’s {n}th novel, and the first translated into English.',
        'A slow-burning mystery set in a harbour town.',
        'Book clubs will find plenty to argue about.',
      ],
      vi: [
        'Câu chuyện gia đình trải dài qua ba thế hệ.',
        'Cuốn tiểu thuyết được độc giả yêu thích nhất năm.',
      ],
      zh: ['跨越三代人的家族故事。', '入围年度文学奖的长篇小说。'],
    },
    emoji: ['📚', '📖'],
    materials: ['paperback', 'hardcover'],
    attributes: { format: ['paperback', 'hardcover', 'ebook'], pages: ['224', '288', '352', '416', '512'] },
    titleMaker: 'book',
  },
  {
    id: 'book-nonfiction',
    category: 'Books > Nonfiction',
    weight: 2,
    names: {
      en: ['cookbook', 'programming guide', 'travel guide'],
      vi: ['sách dạy nấu ăn', 'sách lập trình'],
      zh: ['菜谱', '编程指南'],
    },
    brands: PUBLISHERS,
    usd: [12, 69],
    tags: ['book', 'nonfiction', 'guide'],
    features: {
      en: [
        'Over {n}0 recipes and worked examples.',
        'Clear, step-by-step explanations with diagrams.',
        'Written by practitioners with decades of experience.',
      ],
      vi: ['Hơn {n}0 công thức và ví dụ minh họa.', 'Hướng dẫn từng bước, dễ hiểu.'],
      zh: ['收录{n}0多个实例。', '图文并茂，循序渐进。'],
    },
    emoji: ['📘'],
    materials: ['paperback', 'hardcover'],
    attributes: { format: ['paperback', 'hardcover'], pages: ['198', '320', '456'] },
    titleMaker: 'book',
  },
  {
    id: 'toy',
    category: 'Toys',
    weight: 3,
    names: {
      en: ['building blocks set', '1000-piece jigsaw puzzle', 'plush teddy bear', 'remote control car'],
      vi: ['bộ đồ chơi xếp hình', 'gấu bông', 'xe điều khiển từ xa'],
      zh: ['积木拼装玩具', '1000片拼图', '毛绒泰迪熊', '遥控车'],
    },
    brands: TOY_BRANDS,
    usd: [9, 199],
    tags: ['toys', 'kids', 'gift', 'educational'],
    features: {
      en: [
        'For ages {n} and up.',
        'Made from non-toxic {material}.',
        'Encourages creativity and fine motor skills.',
        'Comes in a sturdy storage box.',
      ],
      vi: ['Dành cho trẻ từ {n} tuổi trở lên.', 'Chất liệu an toàn, không độc hại.'],
      zh: ['适合{n}岁以上儿童。', '环保无毒材料，安全放心。'],
    },
    emoji: ['🧸', '🧩', '🚗'],
    materials: ['ABS plastic', 'plush', 'FSC wood', 'cardboard'],
    attributes: { age_range: ['3+', '6+', '8+', '12+'] },
  },
  {
    id: 'skincare',
    category: 'Beauty > Skincare',
    weight: 2.5,
    names: {
      en: [
        'vitamin C brightening serum',
        'SPF 50 sunscreen',
        'hydrating face moisturiser',
        'gentle foaming cleanser',
      ],
      vi: ['serum vitamin C', 'kem chống nắng SPF 50', 'sữa rửa mặt dịu nhẹ'],
      zh: ['维C精华液', 'SPF50防晒霜', '保湿面霜'],
    },
    brands: BEAUTY_BRANDS,
    usd: [8, 89],
    tags: ['skincare', 'beauty', 'vegan', 'cruelty-free'],
    features: {
      en: [
        'Suitable for sensitive skin.',
        'Fragrance-free and dermatologist tested.',
        'A lightweight texture that absorbs in seconds.',
        '{n}0 ml in a recyclable bottle.',
      ],
      vi: ['Phù hợp cho da nhạy cảm.', 'Kết cấu mỏng nhẹ, thấm nhanh.', 'Dung tích {n}0 ml.'],
      zh: ['适合敏感肌肤。', '质地轻薄，快速吸收。', '容量{n}0毫升。'],
    },
    emoji: ['✨', '🧴', '🌿'],
    materials: ['glass bottle', 'recycled plastic tube'],
    attributes: { skin_type: ['all', 'dry', 'oily', 'sensitive'], volume: ['30 ml', '50 ml', '100 ml'] },
  },
  {
    id: 'makeup',
    category: 'Beauty > Makeup',
    weight: 1.5,
    names: {
      en: ['long-wear matte lipstick', 'volumising mascara', 'cushion foundation'],
      vi: ['son lì lâu trôi', 'mascara làm dày mi'],
      zh: ['持久哑光口红', '气垫粉底'],
    },
    brands: BEAUTY_BRANDS,
    usd: [6, 49],
    tags: ['makeup', 'beauty', 'cosmetics'],
    features: {
      en: [
        'Lasts up to {n} hours without drying your lips.',
        'A buildable formula for a natural or bold look.',
        'Vegan and cruelty-free.',
      ],
      vi: ['Giữ màu đến {n} giờ, không khô môi.', 'Không thử nghiệm trên động vật.'],
      zh: ['持妆{n}小时，不拔干。', '纯素配方，零动物实验。'],
    },
    emoji: ['💄', '💋'],
    materials: ['plastic case', 'metal case'],
    attributes: { shade: ['Rosewood', 'Coral', 'Nude', 'Berry', 'Classic Red'] },
  },
  {
    id: 'fitness',
    category: 'Sports > Fitness',
    weight: 2,
    names: {
      en: ['non-slip yoga mat', 'adjustable dumbbell set', 'resistance bands set', 'foam roller'],
      vi: ['thảm tập yoga chống trượt', 'bộ tạ tay điều chỉnh'],
      zh: ['防滑瑜伽垫', '可调节哑铃套装', '弹力带套装'],
    },
    brands: SPORT_BRANDS,
    usd: [15, 299],
    tags: ['fitness', 'yoga', 'home gym', 'workout'],
    features: {
      en: [
        'A non-slip surface that grips even in hot yoga.',
        '{n} mm of cushioning for knees and wrists.',
        'Made from {material}, free of PVC.',
        'Comes with a carry strap.',
      ],
      vi: ['Bề mặt chống trượt, an toàn khi tập.', 'Độ dày {n} mm êm ái.'],
      zh: ['防滑表面，练习更安全。', '{n}毫米厚度，保护膝盖和手腕。'],
    },
    emoji: ['🧘', '💪', '🏋️'],
    materials: ['natural rubber', 'TPE', 'cast iron', 'latex'],
    attributes: { weight: ['1 kg', '5 kg', '10 kg', '24 kg'] },
  },
  {
    id: 'cycling',
    category: 'Sports > Cycling',
    weight: 1,
    names: {
      en: ['cycling helmet with MIPS', 'bike light set', 'cycling gloves'],
      vi: ['mũ bảo hiểm xe đạp', 'bộ đèn xe đạp'],
      zh: ['骑行头盔', '自行车灯套装'],
    },
    brands: SPORT_BRANDS,
    usd: [15, 199],
    tags: ['cycling', 'bike', 'safety', 'outdoor'],
    features: {
      en: [
        '{n} vents keep you cool on long climbs.',
        'Certified to EN 1078 and CPSC.',
        'A rear LED light built into the fit system.',
      ],
      vi: ['{n} khe thông gió, đội mát khi đạp xa.', 'Đạt tiêu chuẩn an toàn quốc tế.'],
      zh: ['{n}个通风孔，长途骑行依然凉爽。', '通过国际安全认证。'],
    },
    emoji: ['🚴', '🚲'],
    materials: ['polycarbonate', 'EPS foam'],
    attributes: {},
    sizes: ['S', 'M', 'L'],
  },
  {
    id: 'lighting',
    category: 'Home > Lighting',
    weight: 1.5,
    names: {
      en: ['dimmable LED desk lamp', 'rattan pendant light', 'smart LED bulb (4-pack)'],
      vi: ['đèn bàn LED', 'đèn thả mây tre'],
      zh: ['可调光LED台灯', '藤编吊灯'],
    },
    brands: HOME_BRANDS,
    usd: [12, 199],
    tags: ['lighting', 'lamp', 'home', 'decor'],
    features: {
      en: [
        '{n} brightness levels and warm-to-cool colour temperature.',
        'A {material} shade that casts a soft glow.',
        'Energy-efficient LEDs rated for 25,000 hours.',
      ],
      vi: ['{n} mức độ sáng, ánh sáng dịu nhẹ bảo vệ mắt.', 'Tiết kiệm điện năng.'],
      zh: ['{n}档亮度调节，护眼柔光。', '节能LED，寿命长达25000小时。'],
    },
    emoji: ['💡', '🏠'],
    materials: ['rattan', 'aluminium', 'linen', 'glass'],
    attributes: {},
  },
  {
    id: 'bedding',
    category: 'Home > Bedding',
    weight: 1.5,
    names: {
      en: ['linen duvet cover set', 'cotton percale sheet set', 'memory foam pillow'],
      vi: ['bộ chăn ga gối cotton', 'gối cao su non'],
      zh: ['亚麻被套四件套', '记忆棉枕头'],
    },
    brands: HOME_BRANDS,
    usd: [25, 249],
    tags: ['bedding', 'bedroom', 'home', 'sleep'],
    features: {
      en: [
        'Stonewashed {material} that feels lived-in from the first night.',
        'Breathable and temperature-regulating.',
        'Hidden button closure.',
      ],
      vi: ['Chất liệu {material} mềm mại, thoáng mát.', 'Giặt máy dễ dàng.'],
      zh: ['{material}面料，亲肤透气。', '可机洗，打理方便。'],
    },
    emoji: ['🛏️', '😴'],
    materials: ['linen', 'cotton percale', 'bamboo lyocell', 'memory foam'],
    attributes: {},
    sizes: ['Single', 'Double', 'Queen', 'King'],
  },
  {
    id: 'storage',
    category: 'Home > Storage',
    weight: 1,
    names: {
      en: ['stackable storage boxes (set of 3)', 'woven storage basket', 'bamboo drawer organiser'],
      vi: ['hộp đựng đồ xếp chồng', 'giỏ đựng đồ đan'],
      zh: ['可叠加收纳箱', '编织收纳篮'],
    },
    brands: HOME_BRANDS,
    usd: [9, 79],
    tags: ['storage', 'organisation', 'home'],
    features: {
      en: ['Stacks neatly to save space.', 'Made from {material}.', 'Folds flat when not in use.'],
      vi: ['Xếp chồng gọn gàng, tiết kiệm diện tích.', 'Gấp gọn khi không sử dụng.'],
      zh: ['可叠加摆放，节省空间。', '不用时可折叠收纳。'],
    },
    emoji: ['📦', '🧺'],
    materials: ['bamboo', 'seagrass', 'recycled plastic', 'felt'],
    attributes: {},
  },
  {
    id: 'pet',
    category: 'Pet Supplies',
    weight: 1,
    names: {
      en: ['orthopaedic dog bed', 'cat scratching post', 'no-pull dog harness'],
      vi: ['nệm cho chó', 'trụ cào móng cho mèo'],
      zh: ['宠物狗窝', '猫抓柱'],
    },
    brands: HOME_BRANDS,
    usd: [9, 149],
    tags: ['pets', 'dog', 'cat'],
    features: {
      en: [
        'A removable, machine-washable {material} cover.',
        'Suitable for pets up to {n}0 kg.',
        'A non-slip base.',
      ],
      vi: ['Vỏ nệm tháo rời, giặt máy được.', 'Phù hợp cho thú cưng dưới {n}0 kg.'],
      zh: ['外套可拆洗。', '适合{n}0公斤以下的宠物。'],
    },
    emoji: ['🐶', '🐱'],
    materials: ['polyester', 'sisal', 'nylon'],
    attributes: {},
    sizes: ['S', 'M', 'L', 'XL'],
  },
  {
    id: 'stationery',
    category: 'Office > Stationery',
    weight: 1,
    names: {
      en: ['dotted notebook A5', 'gel pen set', 'fountain pen'],
      vi: ['sổ tay A5', 'bộ bút gel'],
      zh: ['A5点阵笔记本', '中性笔套装', '钢笔'],
    },
    brands: ['Pagefold', 'Inkwell & Co', 'Văn Phòng Phẩm Hồng Hà', '晨光文具'],
    usd: [3, 59],
    tags: ['stationery', 'office', 'school'],
    features: {
      en: [
        '{n}0 pages of 100 gsm paper that takes fountain pen ink without bleeding.',
        'A lay-flat binding.',
        'A {material} cover with an elastic closure.',
      ],
      vi: ['Giấy dày 100 gsm, không lem mực.', 'Gáy sổ mở phẳng 180 độ.'],
      zh: ['100克加厚纸张，钢笔书写不洇墨。', '可180度平摊。'],
    },
    emoji: ['📓', '🖊️'],
    materials: ['linen', 'recycled card', 'vegan leather'],
    attributes: {},
  },
];
