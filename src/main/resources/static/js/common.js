// Shared by the shop (index.html) and the admin console (admin.html): translations, the API
// client, the server clock and the login session. Plain ES modules, no build step.

const LANG_KEY = 'seckill.lang';

const messages = {
  en: {
    'lang.switch': '中文',
    'skip': 'Skip to the content',
    'shop.title': 'Flash sale',
    'shop.tagline': 'Limited stock, first come first served.',
    'admin.title': 'Flash sale console',
    'login.heading': 'Log in or register',
    'login.username': 'Username',
    'login.password': 'Password',
    'login.submit': 'Log in',
    'login.register': 'Register',
    'login.hint': '3–32 letters, digits, “_”, “.” or “-”; password 8–72 characters.',
    'login.as': 'Logged in as {name}',
    'login.logout': 'Log out',
    'login.registered': 'Account {name} created; you are logged in.',
    'login.expired': 'Your session has ended; log in again.',
    'login.notAdmin': 'This account is not an administrator.',
    'login.required': 'Enter a username and a password.',
    'signup.heading': 'One more step to register',
    'signup.needed': 'A sale is on, so new accounts solve a small sum: enter the result, then press Register again.',
    'signup.wrong': 'Wrong answer, or the question expired: here is a new one.',
    'signup.empty': 'Enter the result of the sum first.',
    'activities.heading': 'Sales',
    'activities.none': 'No sale is published yet.',
    'activities.loading': 'Loading sales…',
    'activities.loadFailed': 'Could not load the sales: {message}',
    'activity.startsIn': 'Starts in {time}',
    'activity.endsIn': 'Ends in {time}',
    'activity.ended': 'Ended',
    'activity.window': '{start} – {end}',
    'activity.minLevel': 'Members of level {level} and above',
    'activity.challenge': 'Buying here asks you to solve a small sum first.',
    'activity.lineChallenge': 'Joining the line asks you to solve a small sum first.',
    'item.price': 'Price',
    'item.remaining': 'Left',
    'item.remainingOf': '{remaining} of {stock}',
    'item.limit': 'Limit {limit} per person',
    'buy': 'Buy now',
    'buy.notStarted': 'Not started',
    'buy.ended': 'Ended',
    'buy.soldOut': 'Sold out',
    'buy.busy': 'Buying…',
    'buy.logIn': 'Log in to buy',
    'buy.label': 'Buy {item}',
    'buy.wait': 'Wait {seconds} s',
    'buy.answer': 'Solve the sum below',
    'buy.waitTurn': 'Wait for your turn',
    'line.logIn': 'This sale has a waiting room: log in to join its line.',
    'line.opensIn': 'This sale has a waiting room; its line opens in {time}.',
    'line.hint': 'This sale has a waiting room: join the line, then buy when your turn comes. Joining early gains nothing: at the start everyone in line is drawn in a random order.',
    'line.join': 'Join the line',
    'line.prequeue': 'You are in line ({count} so far). At the start everyone in line is drawn in a random order.',
    'line.waiting': 'Your place: {position} · {ahead} ahead · about {wait}',
    'line.admitted': 'Your turn! Buy before {until}.',
    'line.SOLD_OUT': 'The units left cannot reach your place: sold out for now. If units come back, the line moves again.',
    'line.EXPIRED': 'Your turn has passed: the pass expired before you bought.',
    'line.progress': 'Progress in the line',
    'outcome.WAITING_ROOM_PASS_REQUIRED': 'Not your turn yet',
    'outcome.WAITING_ROOM_PASS_EXPIRED': 'Your turn has passed',
    'outcome.WAITING_ROOM_PASS_INVALID': 'Pass not accepted',
    'outcome.WAITING_ROOM_PASS_FOREIGN': 'Pass not yours',
    'outcome.queued': 'Queued — waiting for your order…',
    'outcome.success': 'Success! Order #{orderId}',
    'outcome.successDetail': 'Pay for it to keep it.',
    'outcome.SOLD_OUT': 'Sold out',
    'outcome.NOT_ELIGIBLE': 'Not eligible',
    'outcome.LIMIT_REACHED': 'Limit reached',
    'outcome.RATE_LIMITED': 'Too many requests',
    'outcome.NOT_STARTED': 'Not started yet',
    'outcome.ENDED': 'The sale has ended',
    'outcome.UNAVAILABLE': 'Service busy',
    'outcome.UNAUTHENTICATED': 'Please log in again',
    'outcome.NETWORK': 'No connection',
    'outcome.failed': 'Purchase failed',
    'outcome.stillQueued': 'Still queued; your order will appear under “My orders”.',
    'outcome.retrySafe': 'Press Buy again to retry safely: it will not buy twice.',
    'outcome.notAdmitted': 'The purchase was not admitted.',
    'outcome.sending': 'Sending your purchase…',
    'outcome.opening': 'The sale is opening — trying again…',
    'outcome.openingDetail': 'The server has not opened the sale yet (the clocks differ a little).',
    'outcome.retryIn': 'You can try again in {seconds} s.',
    'outcome.PURCHASE_TOKEN_MISSING': 'No purchase token',
    'outcome.PURCHASE_TOKEN_INVALID': 'Purchase token not accepted',
    'outcome.PURCHASE_TOKEN_EXPIRED': 'Purchase token expired',
    'outcome.PURCHASE_TOKEN_FOREIGN': 'Purchase token not yours',
    'outcome.PURCHASE_TOKEN_USED': 'Purchase token already used',
    'outcome.CHALLENGE_REQUIRED': 'Question not answered',
    'outcome.CHALLENGE_FAILED': 'Wrong answer',
    'outcome.BAD_REQUEST': 'Bad request',
    'outcome.NOT_FOUND': 'Not found',
    'outcome.INTERNAL_ERROR': 'Server error',
    'challenge.heading': 'Quick check before buying',
    'challenge.prompt': 'Solve the sum in the picture, then confirm.',
    'challenge.image': 'A sum to solve, shown as a picture',
    'challenge.answer': 'Result',
    'challenge.hint': 'A whole number, e.g. 7 or -2.',
    'challenge.submit': 'Confirm and buy',
    'challenge.lineHeading': 'Quick check before joining the line',
    'challenge.lineSubmit': 'Confirm and join',
    'challenge.new': 'New picture',
    'challenge.loading': 'Loading the question…',
    'challenge.empty': 'Enter the result first.',
    'challenge.wrong': 'Wrong answer, or the question expired: here is a new one.',
    'challenge.expired': 'Your purchase token expired before the purchase went through: answer a new question to retry it.',
    'challenge.wait': 'Too many tries: you can answer again in {seconds} s.',
    'pay': 'Pay',
    'pay.label': 'Pay order #{orderId}',
    'pay.busy': 'Paying…',
    'pay.done': 'Order #{orderId} is paid.',
    'pay.failed': 'Payment of order #{orderId} failed: {message}',
    'pay.settling': 'The payment of order #{orderId} is being settled…',
    'pay.stillSettling': 'The payment of order #{orderId} is still being settled; it is charged once at most. Refresh the orders in a while.',
    'orders.heading': 'My orders',
    'orders.none': 'No orders yet.',
    'orders.logIn': 'Log in to see your orders.',
    'orders.refresh': 'Refresh',
    'orders.order': 'Order #{id}',
    'orders.item': 'Item',
    'orders.price': 'Price',
    'orders.status': 'Status',
    'orders.created': 'Created',
    'orders.actions': 'Actions',
    'status.CREATED': 'Awaiting payment',
    'status.PAYING': 'Payment being settled',
    'status.PAID': 'Paid',
    'status.CANCELLED': 'Cancelled',
    'status.EXPIRED': 'Expired',
    'status.QUEUED': 'Queued',
    'error.NETWORK': 'The server could not be reached; check the connection and retry.',
    'error.PURCHASE_TOKEN_MISSING': 'The purchase was sent without its purchase token. Press Buy again: the page asks for a new one.',
    'error.PURCHASE_TOKEN_INVALID': 'The purchase token was not accepted (damaged, or signed with a retired key). Press Buy again for a new one.',
    'error.PURCHASE_TOKEN_EXPIRED': 'The purchase token expired before it was used. Press Buy again for a new one.',
    'error.PURCHASE_TOKEN_FOREIGN': 'The purchase token was issued to another account or item (did you switch accounts?). Press Buy again for a new one.',
    'error.PURCHASE_TOKEN_USED': 'This purchase token was already used. Press Buy again for a new one; an earlier purchase that went through shows under “My orders”.',
    'error.CHALLENGE_REQUIRED': 'This sale asks you to solve a small sum before buying. Press Buy again to see it.',
    'error.CHALLENGE_FAILED': 'Wrong answer, or the question expired. Press Buy again for a new one.',
    'nav.activities': 'Activities',
    'nav.users': 'Users',
    'nav.dashboard': 'Dashboard',
    'adm.list.heading': 'Activities',
    'adm.list.new': 'New activity',
    'adm.list.refresh': 'Refresh',
    'adm.list.none': 'No activity yet.',
    'adm.col.id': 'Id',
    'adm.col.name': 'Name',
    'adm.col.window': 'Window',
    'adm.col.state': 'State',
    'adm.col.items': 'Items',
    'adm.col.actions': 'Actions',
    'adm.state.draft': 'Draft',
    'adm.state.UPCOMING': 'Upcoming',
    'adm.state.ACTIVE': 'Running',
    'adm.state.ENDED': 'Ended',
    'adm.edit': 'Edit',
    'adm.edit.label': 'Edit {name}',
    'adm.publish': 'Publish',
    'adm.publish.label': '{action} {name}',
    'adm.republish': 'Republish',
    'adm.dashboard': 'Dashboard',
    'adm.dashboard.label': 'Dashboard of {name}',
    'adm.published': 'Activity #{id} is published: rules and stock are in Redis.',
    'adm.form.newHeading': 'New activity',
    'adm.form.editHeading': 'Edit activity #{id}',
    'adm.form.name': 'Name',
    'adm.form.startsAt': 'Starts at (your time zone)',
    'adm.form.endsAt': 'Ends at (your time zone)',
    'adm.form.minLevel': 'Minimum member level',
    'adm.form.items': 'Items',
    'adm.form.challenge': 'Ask shoppers to solve a picture challenge before buying',
    'adm.form.challengeHint': 'Slows scripted buyers down; every shopper needs a few seconds more.',
    'adm.form.waitingRoom': 'Put a waiting room in front of the sale',
    'adm.form.waitingRoomHint': 'Shoppers join a line before the start; at the start everyone in line is drawn in a random order, and the line is let in at the rate you set, each with a turn of the length you set.',
    'adm.form.wrOpens': 'Line opens (minutes before the start)',
    'adm.form.wrRate': 'Shoppers let in per second',
    'adm.form.wrPass': 'A turn lasts (seconds)',
    'adm.state.challenge': 'challenge on',
    'adm.form.item': 'Item {n}',
    'adm.form.itemName': 'Item name',
    'adm.form.price': 'Price',
    'adm.form.stock': 'Stock',
    'adm.form.limit': 'Limit per person',
    'adm.form.addItem': 'Add an item',
    'adm.form.removeItem': 'Remove item {n}',
    'adm.form.save': 'Save',
    'adm.form.cancel': 'Cancel',
    'adm.form.saved': 'Activity #{id} saved.',
    'adm.form.invalid': 'Please correct the marked fields.',
    'adm.form.badNumber': 'must be a number',
    'adm.users.heading': 'User eligibility',
    'adm.users.username': 'Username',
    'adm.users.level': 'Member level (0–100, empty: unchanged)',
    'adm.users.blacklist': 'Blacklist',
    'adm.users.unchanged': 'Unchanged',
    'adm.users.block': 'Blacklisted (may not buy)',
    'adm.users.allow': 'Allowed',
    'adm.users.save': 'Apply',
    'adm.users.saved': '{name}: level {level}, {state}.',
    'adm.users.isBlocked': 'blacklisted',
    'adm.users.isAllowed': 'not blacklisted',
    'dash.heading': 'Dashboard',
    'dash.headingFor': 'Dashboard: {name} (#{id})',
    'dash.choose': 'Activity',
    'dash.none': 'Choose an activity to watch it live.',
    'dash.live': 'Updated every second.',
    'dash.paused': 'Paused: {message}',
    'dash.queue': 'Queue length',
    'dash.rate': 'Purchase requests/s (this sale, all nodes)',
    'dash.queuedSince': 'Queued since opened (all nodes)',
    'dash.p99': 'Latency p99 (this node)',
    'dash.p50': 'Latency p50',
    'dash.sold': 'Sold',
    'dash.items': 'Stock per item',
    'dash.col.item': 'Item',
    'dash.col.stock': 'Stock',
    'dash.col.sold': 'Sold (live orders)',
    'dash.col.redis': 'Redis remaining',
    'dash.col.db': 'Database remaining',
    'dash.col.drift': 'Redis − database',
    'dash.chart.rate': 'Purchase requests per second by outcome (this sale, all nodes)',
    'dash.chart.tokens': 'Purchase-token requests per second by outcome (this sale, all nodes)',
    'dash.tokens': 'Tokens issued since opened (all nodes)',
    'dash.line.length': 'In the waiting room',
    'dash.line.admitted': 'Admitted',
    'dash.line.rate': 'Admission rate (measured / set)',
    'dash.line.outstanding': 'Passes not used yet',
    'dash.rejections': 'Rejected requests by reason',
    'dash.rejections.scope': 'This sale, all nodes, since the dashboard opened (each node adds its counts once a second).',
    'dash.rejections.none': 'No request rejected yet.',
    'dead.heading': 'Dead letters',
    'dead.refresh': 'Refresh',
    'dead.scope': 'Purchases the database refused on their own: their shoppers were told FAILED and the units went back on sale. Replay one once its cause is fixed (it takes a unit again), or discard it.',
    'dead.none': 'No dead letters.',
    'dead.count': '{count} dead letter(s); the oldest {shown} are shown.',
    'dead.col.ticket': 'Ticket',
    'dead.col.user': 'User',
    'dead.col.error': 'Why the database refused it',
    'dead.col.reason': 'Your reason (kept in the audit)',
    'dead.col.actions': 'Action',
    'dead.reasonLabel': 'Reason for {ticket}',
    'dead.replay': 'Replay',
    'dead.discard': 'Discard',
    'dead.needReason': 'Give a reason first: it is kept in the audit.',
    'dead.replayed': 'Replayed {ticket}: it is queued for the order writer again.',
    'dead.discarded': 'Discarded {ticket}.',
    'dead.audit': 'What admins did',
    'dead.auditNone': 'Nothing yet.',
    'dead.auditLine': '{at}: {admin} {action} {entry} ({ticket}) → {outcome}: {reason}',
    'dead.action.REPLAY': 'replayed',
    'dead.action.DISCARD': 'discarded',
    'dash.col.reason': 'Reason',
    'dash.col.purchases': 'Purchase requests',
    'dash.col.tokenRequests': 'Token requests',
    'dash.chart.remaining': 'Remaining stock: Redis vs database',
    'dash.chart.queue': 'Queue length',
    'dash.chart.latency': 'Purchase latency (ms, this node, all sales)',
    'dash.series.redis': 'Redis',
    'dash.series.db': 'Database',
    'dash.series.queue': 'Queue',
    'dash.series.p50': 'p50',
    'dash.series.p99': 'p99',
    'dash.chart.empty': 'Waiting for data…',
    'dash.chart.summary': '{title}: {values}',
    'dash.ms': '{value} ms',
  },
  zh: {
    'lang.switch': 'English',
    'skip': '跳到正文',
    'shop.title': '限时秒杀',
    'shop.tagline': '库存有限，先到先得。',
    'admin.title': '秒杀管理台',
    'login.heading': '登录或注册',
    'login.username': '用户名',
    'login.password': '密码',
    'login.submit': '登录',
    'login.register': '注册',
    'login.hint': '用户名 3–32 位字母、数字、“_”、“.”或“-”；密码 8–72 位。',
    'login.as': '已登录：{name}',
    'login.logout': '退出登录',
    'login.registered': '账户 {name} 已创建并登录。',
    'login.expired': '登录已过期，请重新登录。',
    'login.notAdmin': '该账户不是管理员。',
    'login.required': '请输入用户名和密码。',
    'signup.heading': '注册前还需一步',
    'signup.needed': '秒杀进行中，新账户需计算一道小算式：输入结果后再次点击注册。',
    'signup.wrong': '答案错误或题目已过期，已换一题。',
    'signup.empty': '请先输入算式的结果。',
    'activities.heading': '秒杀活动',
    'activities.none': '暂无已发布的活动。',
    'activities.loading': '正在加载活动…',
    'activities.loadFailed': '无法加载活动：{message}',
    'activity.startsIn': '距开始 {time}',
    'activity.endsIn': '距结束 {time}',
    'activity.ended': '已结束',
    'activity.window': '{start} – {end}',
    'activity.minLevel': '限 {level} 级及以上会员',
    'activity.challenge': '本场抢购需先完成一道算术验证。',
    'activity.lineChallenge': '加入排队前需先完成一道算术验证。',
    'item.price': '价格',
    'item.remaining': '剩余',
    'item.remainingOf': '{remaining} / {stock}',
    'item.limit': '每人限购 {limit} 件',
    'buy': '立即抢购',
    'buy.notStarted': '未开始',
    'buy.ended': '已结束',
    'buy.soldOut': '已售罄',
    'buy.busy': '抢购中…',
    'buy.logIn': '登录后抢购',
    'buy.label': '抢购 {item}',
    'buy.wait': '请等待 {seconds} 秒',
    'buy.answer': '请先完成下方验证',
    'buy.waitTurn': '请等待轮到您',
    'line.logIn': '本场抢购需要排队：请登录后加入排队。',
    'line.opensIn': '本场抢购需要排队，排队将于 {time} 后开放。',
    'line.hint': '本场抢购需要排队：请先加入排队，轮到您时再购买。提前加入没有优势：开始时，队列中的所有人将被随机排序。',
    'line.join': '加入排队',
    'line.prequeue': '您已在排队中（目前共 {count} 人）。开始时，队列中的所有人将被随机排序。',
    'line.waiting': '您的位置：第 {position} 位 · 前面还有 {ahead} 人 · 约需 {wait}',
    'line.admitted': '轮到您了！请在 {until} 前购买。',
    'line.SOLD_OUT': '剩余库存轮不到您的位置，暂时售罄。如有库存退回，队列会继续前进。',
    'line.EXPIRED': '您的轮次已过：通行证在购买前已过期。',
    'line.progress': '排队进度',
    'outcome.WAITING_ROOM_PASS_REQUIRED': '尚未轮到您',
    'outcome.WAITING_ROOM_PASS_EXPIRED': '您的轮次已过',
    'outcome.WAITING_ROOM_PASS_INVALID': '通行证无效',
    'outcome.WAITING_ROOM_PASS_FOREIGN': '通行证不属于您',
    'outcome.queued': '排队中——正在为您下单…',
    'outcome.success': '抢购成功！订单号 {orderId}',
    'outcome.successDetail': '请尽快付款。',
    'outcome.SOLD_OUT': '已售罄',
    'outcome.NOT_ELIGIBLE': '不符合资格',
    'outcome.LIMIT_REACHED': '已达限购数量',
    'outcome.RATE_LIMITED': '请求过于频繁',
    'outcome.NOT_STARTED': '尚未开始',
    'outcome.ENDED': '活动已结束',
    'outcome.UNAVAILABLE': '服务繁忙',
    'outcome.UNAUTHENTICATED': '请重新登录',
    'outcome.NETWORK': '网络连接失败',
    'outcome.failed': '抢购失败',
    'outcome.stillQueued': '仍在排队；订单生成后会出现在“我的订单”中。',
    'outcome.retrySafe': '可再次点击抢购安全重试，不会重复下单。',
    'outcome.notAdmitted': '本次抢购未被受理。',
    'outcome.sending': '正在提交抢购…',
    'outcome.opening': '即将开始——正在重试…',
    'outcome.openingDetail': '服务器尚未开始本场抢购（时钟略有偏差）。',
    'outcome.retryIn': '请在 {seconds} 秒后重试。',
    'outcome.PURCHASE_TOKEN_MISSING': '缺少购买令牌',
    'outcome.PURCHASE_TOKEN_INVALID': '购买令牌无效',
    'outcome.PURCHASE_TOKEN_EXPIRED': '购买令牌已过期',
    'outcome.PURCHASE_TOKEN_FOREIGN': '购买令牌不属于您',
    'outcome.PURCHASE_TOKEN_USED': '购买令牌已被使用',
    'outcome.CHALLENGE_REQUIRED': '尚未完成验证',
    'outcome.CHALLENGE_FAILED': '验证答案错误',
    'outcome.BAD_REQUEST': '请求无效',
    'outcome.NOT_FOUND': '不存在',
    'outcome.INTERNAL_ERROR': '服务器错误',
    'challenge.heading': '抢购前安全验证',
    'challenge.prompt': '请计算图中算式的结果，然后确认。',
    'challenge.image': '图片中的算式',
    'challenge.answer': '计算结果',
    'challenge.hint': '填写整数，如 7 或 -2。',
    'challenge.submit': '确认并抢购',
    'challenge.lineHeading': '排队前安全验证',
    'challenge.lineSubmit': '确认并排队',
    'challenge.new': '换一张',
    'challenge.loading': '正在加载验证题…',
    'challenge.empty': '请先填写计算结果。',
    'challenge.wrong': '答案错误或题目已过期，已换一道新题。',
    'challenge.expired': '购买令牌在抢购完成前已过期：请回答新题后重试。',
    'challenge.wait': '尝试次数过多：请在 {seconds} 秒后再作答。',
    'pay': '付款',
    'pay.label': '为订单 {orderId} 付款',
    'pay.busy': '付款中…',
    'pay.done': '订单 {orderId} 已付款。',
    'pay.failed': '订单 {orderId} 付款失败：{message}',
    'pay.settling': '订单 {orderId} 的付款正在结算…',
    'pay.stillSettling': '订单 {orderId} 的付款仍在结算中，最多扣款一次。请稍后刷新订单。',
    'orders.heading': '我的订单',
    'orders.none': '暂无订单。',
    'orders.logIn': '登录后查看订单。',
    'orders.refresh': '刷新',
    'orders.order': '订单 {id}',
    'orders.item': '商品',
    'orders.price': '价格',
    'orders.status': '状态',
    'orders.created': '下单时间',
    'orders.actions': '操作',
    'status.CREATED': '待付款',
    'status.PAYING': '付款结算中',
    'status.PAID': '已付款',
    'status.CANCELLED': '已取消',
    'status.EXPIRED': '已过期',
    'status.QUEUED': '排队中',
    'error.NETWORK': '无法连接服务器，请检查网络后重试。',
    'error.PURCHASE_TOKEN_MISSING': '抢购请求缺少购买令牌。请再次点击抢购，页面会重新申请。',
    'error.PURCHASE_TOKEN_INVALID': '购买令牌无效（已损坏或密钥已更换）。请再次点击抢购以重新申请。',
    'error.PURCHASE_TOKEN_EXPIRED': '购买令牌在使用前已过期。请再次点击抢购以重新申请。',
    'error.PURCHASE_TOKEN_FOREIGN': '该购买令牌属于其他账户或商品（是否切换过账户？）。请再次点击抢购以重新申请。',
    'error.PURCHASE_TOKEN_USED': '该购买令牌已被使用。请再次点击抢购以重新申请；之前成功的抢购会出现在“我的订单”中。',
    'error.CHALLENGE_REQUIRED': '本场抢购需先完成算术验证。请再次点击抢购查看题目。',
    'error.CHALLENGE_FAILED': '答案错误或题目已过期。请再次点击抢购获取新题。',
    'nav.activities': '活动',
    'nav.users': '用户',
    'nav.dashboard': '实时看板',
    'adm.list.heading': '活动列表',
    'adm.list.new': '新建活动',
    'adm.list.refresh': '刷新',
    'adm.list.none': '暂无活动。',
    'adm.col.id': '编号',
    'adm.col.name': '名称',
    'adm.col.window': '时间',
    'adm.col.state': '状态',
    'adm.col.items': '商品',
    'adm.col.actions': '操作',
    'adm.state.draft': '草稿',
    'adm.state.UPCOMING': '未开始',
    'adm.state.ACTIVE': '进行中',
    'adm.state.ENDED': '已结束',
    'adm.edit': '编辑',
    'adm.edit.label': '编辑 {name}',
    'adm.publish': '发布',
    'adm.publish.label': '{action} {name}',
    'adm.republish': '重新发布',
    'adm.dashboard': '看板',
    'adm.dashboard.label': '看板：{name}',
    'adm.published': '活动 {id} 已发布：规则和库存已预热到 Redis。',
    'adm.form.newHeading': '新建活动',
    'adm.form.editHeading': '编辑活动 {id}',
    'adm.form.name': '名称',
    'adm.form.startsAt': '开始时间（本地时区）',
    'adm.form.endsAt': '结束时间（本地时区）',
    'adm.form.minLevel': '最低会员等级',
    'adm.form.items': '商品',
    'adm.form.challenge': '抢购前要求回答图片验证题',
    'adm.form.challengeHint': '可拖慢脚本抢购；每位顾客需多花几秒。',
    'adm.form.waitingRoom': '在秒杀前设置排队',
    'adm.form.waitingRoomHint': '顾客可在开始前加入排队；开始时，队列中的所有人将被随机排序，并按您设定的速率放行，每人的购买时限由您设定。',
    'adm.form.wrOpens': '排队开放时间（开始前多少分钟）',
    'adm.form.wrRate': '每秒放行人数',
    'adm.form.wrPass': '每人的购买时限（秒）',
    'adm.state.challenge': '需验证',
    'adm.form.item': '商品 {n}',
    'adm.form.itemName': '商品名称',
    'adm.form.price': '价格',
    'adm.form.stock': '库存',
    'adm.form.limit': '每人限购',
    'adm.form.addItem': '添加商品',
    'adm.form.removeItem': '删除商品 {n}',
    'adm.form.save': '保存',
    'adm.form.cancel': '取消',
    'adm.form.saved': '活动 {id} 已保存。',
    'adm.form.invalid': '请修改标出的字段。',
    'adm.form.badNumber': '必须是数字',
    'adm.users.heading': '用户资格',
    'adm.users.username': '用户名',
    'adm.users.level': '会员等级（0–100，留空为不变）',
    'adm.users.blacklist': '黑名单',
    'adm.users.unchanged': '不变',
    'adm.users.block': '加入黑名单（禁止购买）',
    'adm.users.allow': '允许购买',
    'adm.users.save': '应用',
    'adm.users.saved': '{name}：等级 {level}，{state}。',
    'adm.users.isBlocked': '在黑名单中',
    'adm.users.isAllowed': '不在黑名单中',
    'dash.heading': '实时看板',
    'dash.headingFor': '实时看板：{name}（{id}）',
    'dash.choose': '活动',
    'dash.none': '选择一个活动以实时查看。',
    'dash.live': '每秒更新。',
    'dash.paused': '已暂停：{message}',
    'dash.queue': '队列长度',
    'dash.rate': '每秒抢购请求（本活动，全部节点）',
    'dash.queuedSince': '打开后排队成功数（全部节点）',
    'dash.p99': '延迟 p99（本节点）',
    'dash.p50': '延迟 p50',
    'dash.sold': '已售',
    'dash.items': '各商品库存',
    'dash.col.item': '商品',
    'dash.col.stock': '库存',
    'dash.col.sold': '已售（有效订单）',
    'dash.col.redis': 'Redis 剩余',
    'dash.col.db': '数据库剩余',
    'dash.col.drift': 'Redis − 数据库',
    'dash.chart.rate': '按结果统计的每秒抢购请求（本活动，全部节点）',
    'dash.chart.tokens': '按结果统计的每秒购买令牌请求（本活动，全部节点）',
    'dash.tokens': '打开后签发的购买令牌（全部节点）',
    'dash.line.length': '排队人数',
    'dash.line.admitted': '已放行',
    'dash.line.rate': '放行速率（实测 / 设定）',
    'dash.line.outstanding': '未使用的通行证',
    'dash.rejections': '按原因统计的被拒请求',
    'dash.rejections.scope': '本活动、全部节点，自打开看板起（各节点每秒汇总一次）。',
    'dash.rejections.none': '暂无被拒请求。',
    'dead.heading': '死信',
    'dead.refresh': '刷新',
    'dead.scope': '数据库因其自身原因拒绝的购买：其用户已被告知失败，库存已退回。原因修复后可重放（会再次占用一件库存），或将其丢弃。',
    'dead.none': '暂无死信。',
    'dead.count': '共 {count} 条死信；显示最早的 {shown} 条。',
    'dead.col.ticket': '票据',
    'dead.col.user': '用户',
    'dead.col.error': '数据库拒绝的原因',
    'dead.col.reason': '您的理由（记入审计）',
    'dead.col.actions': '操作',
    'dead.reasonLabel': '{ticket} 的理由',
    'dead.replay': '重放',
    'dead.discard': '丢弃',
    'dead.needReason': '请先填写理由：它会记入审计。',
    'dead.replayed': '已重放 {ticket}：它已重新排队等待写入订单。',
    'dead.discarded': '已丢弃 {ticket}。',
    'dead.audit': '管理员操作记录',
    'dead.auditNone': '暂无记录。',
    'dead.auditLine': '{at}：{admin} {action} {entry}（{ticket}）→ {outcome}：{reason}',
    'dead.action.REPLAY': '重放了',
    'dead.action.DISCARD': '丢弃了',
    'dash.col.reason': '原因',
    'dash.col.purchases': '抢购请求',
    'dash.col.tokenRequests': '令牌请求',
    'dash.chart.remaining': '剩余库存：Redis 与数据库',
    'dash.chart.queue': '队列长度',
    'dash.chart.latency': '抢购延迟（毫秒，本节点，全部活动）',
    'dash.series.redis': 'Redis',
    'dash.series.db': '数据库',
    'dash.series.queue': '队列',
    'dash.series.p50': 'p50',
    'dash.series.p99': 'p99',
    'dash.chart.empty': '等待数据…',
    'dash.chart.summary': '{title}：{values}',
    'dash.ms': '{value} 毫秒',
  },
};

// The generic English messages of the API's error codes: an English message that differs from
// these is a detail (e.g. the invalid field) worth showing next to the Chinese text as well.
const genericEnglish = {
  BAD_REQUEST: 'The request is malformed or has invalid values.',
  NOT_FOUND: 'No such resource.',
};

const fallbackZh = {
  BAD_REQUEST: '请求格式错误或参数无效。',
  NOT_FOUND: '资源不存在。',
  INTERNAL_ERROR: '发生了意外错误。',
};

// Bean Validation's default English messages, as the API names them, in Chinese.
const constraintZh = [
  [/^must not be blank$/, () => '不能为空'],
  [/^must not be null$/, () => '不能为空'],
  [/^must not be empty$/, () => '不能为空'],
  [/^must be greater than or equal to (\S+)$/, (m) => `必须大于或等于 ${m[1]}`],
  [/^must be less than or equal to (\S+)$/, (m) => `必须小于或等于 ${m[1]}`],
  [/^must be greater than or equal to "?([^"]+)"?$/, (m) => `必须大于或等于 ${m[1]}`],
  [/^must be less than or equal to "?([^"]+)"?$/, (m) => `必须小于或等于 ${m[1]}`],
  [/^size must be between (\d+) and (\d+)$/, (m) => `长度或数量必须在 ${m[1]} 到 ${m[2]} 之间`],
  [/^numeric value out of bounds.*$/, () => '数值超出范围（最多两位小数）'],
  [/^must be after startsAt$/, () => '必须晚于开始时间'],
];

export const i18n = {
  lang: initialLanguage(),

  t(key, params = {}) {
    const text = messages[this.lang][key] ?? messages.en[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (all, name) => (name in params ? String(params[name]) : all));
  },

  has(key) {
    return key in messages[this.lang];
  },

  /** Fills every [data-i18n] element and [data-i18n-label] aria-label under root. */
  apply(root = document) {
    document.documentElement.lang = this.lang === 'zh' ? 'zh-CN' : 'en';
    root.querySelectorAll('[data-i18n]').forEach((el) => {
      el.textContent = this.t(el.dataset.i18n);
    });
    root.querySelectorAll('[data-i18n-label]').forEach((el) => {
      el.setAttribute('aria-label', this.t(el.dataset.i18nLabel));
    });
  },

  set(lang) {
    this.lang = lang;
    try {
      localStorage.setItem(LANG_KEY, lang);
    }
    catch (ignored) {
      // Private mode: the choice lasts for this page only.
    }
    this.apply();
  },

  /** A constraint message from the API in the current language. */
  constraint(text) {
    if (this.lang !== 'zh') {
      return text;
    }
    for (const [pattern, translate] of constraintZh) {
      const match = pattern.exec(text.trim());
      if (match) {
        return translate(match);
      }
    }
    return text;
  },

  /**
   * The message of an API error body in the current language: the page's own words where it
   * has them (codes a shopper can act on), else the API's message.
   */
  error(body) {
    const code = body?.code ?? 'NETWORK';
    if (this.has(`error.${code}`)) {
      return this.t(`error.${code}`);
    }
    if (this.lang === 'zh') {
      const zh = body.messageZh || fallbackZh[code] || body.message || code;
      const detail = body.message && genericEnglish[code] && body.message !== genericEnglish[code];
      return detail ? `${zh}（${body.message}）` : zh;
    }
    return body.message || code;
  },

  time(epochMillis) {
    return new Intl.DateTimeFormat(this.lang === 'zh' ? 'zh-CN' : 'en-GB', {
      month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit',
    }).format(new Date(epochMillis));
  },

  money(value) {
    return new Intl.NumberFormat(this.lang === 'zh' ? 'zh-CN' : 'en-US', {
      style: 'currency', currency: 'CNY', currencyDisplay: 'narrowSymbol',
    }).format(Number(value));
  },
};

function initialLanguage() {
  let stored = null;
  try {
    stored = localStorage.getItem(LANG_KEY);
  }
  catch (ignored) {
    // No storage: follow the browser.
  }
  if (stored === 'zh' || stored === 'en') {
    return stored;
  }
  const preferred = navigator.languages?.[0] ?? navigator.language ?? 'en';
  return preferred.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

/**
 * Wires a language switch button: it names the other language in that language ("中文",
 * "English"), marked with its lang so screen readers pronounce it right, and toggles on click.
 */
export function languageSwitch(button, onChange) {
  const label = () => {
    button.textContent = i18n.t('lang.switch');
    button.lang = i18n.lang === 'zh' ? 'en' : 'zh-CN';
  };
  label();
  button.addEventListener('click', () => {
    i18n.set(i18n.lang === 'zh' ? 'en' : 'zh');
    label();
    onChange?.();
  });
}

/**
 * One API call. Resolves to {ok, status, body, retryAfter}; a network failure resolves to
 * status 0 and the NETWORK code instead of throwing, so callers handle every outcome in one
 * place. retryAfter: the seconds of a Retry-After header (429, 503), else null.
 */
export async function api(method, path, { token, body, headers = {} } = {}) {
  // The API's validation details follow Accept-Language: ask for the page's language.
  const language = i18n.lang === 'zh' ? 'zh-CN,zh;q=0.9' : 'en';
  const init = { method, headers: { Accept: 'application/json', 'Accept-Language': language, ...headers }, cache: 'no-store' };
  if (token) {
    init.headers.Authorization = `Bearer ${token}`;
  }
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  }
  catch (failure) {
    return { ok: false, status: 0, body: { code: 'NETWORK', message: String(failure) } };
  }
  let parsed = {};
  try {
    const text = await response.text();
    parsed = text ? JSON.parse(text) : {};
  }
  catch (ignored) {
    parsed = { code: response.ok ? undefined : 'INTERNAL_ERROR' };
  }
  return { ok: response.ok, status: response.status, body: parsed, retryAfter: retryAfter(response.headers.get('Retry-After')) };
}

/** Seconds from a Retry-After value: delay-seconds or an HTTP date; null when absent or unreadable. */
function retryAfter(value) {
  if (!value) {
    return null;
  }
  const seconds = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Math.ceil((Date.parse(value) - Date.now()) / 1000);
  return Number.isFinite(seconds) ? Math.max(0, seconds) : null;
}

/**
 * The server's clock, so countdowns and the buy button follow the server and not a wrong
 * browser clock. Each sample reads /api/v1/time and assumes the server read its clock half
 * way through the round trip; the sample with the shortest round trip wins (least error).
 * Time between samples is measured with performance.now(), which the wall clock cannot move.
 */
export const serverClock = {
  offset: null,
  roundTrip: Infinity,

  async sync(samples = 3) {
    let best = null;
    for (let i = 0; i < samples; i++) {
      const sentAt = performance.now();
      const reply = await api('GET', '/api/v1/time');
      const receivedAt = performance.now();
      if (!reply.ok || typeof reply.body.now !== 'number') {
        continue;
      }
      const roundTrip = receivedAt - sentAt;
      if (best === null || roundTrip < best.roundTrip) {
        best = { roundTrip, offset: reply.body.now + roundTrip / 2 - receivedAt };
      }
    }
    if (best !== null) {
      this.offset = best.offset;
      this.roundTrip = best.roundTrip;
    }
    return best !== null;
  },

  now() {
    return this.offset === null ? Date.now() : performance.now() + this.offset;
  },
};

/** "1d 02:03:04" or "02:03:04". */
export function duration(millis) {
  const total = Math.max(0, Math.ceil(millis / 1000));
  const days = Math.floor(total / 86400);
  const pad = (n) => String(n).padStart(2, '0');
  const clock = `${pad(Math.floor((total % 86400) / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
  return days > 0 ? `${days}d ${clock}` : clock;
}

/** A login kept in localStorage under its own key per page (shop and console stay apart). */
export function session(storageKey) {
  const read = () => {
    try {
      const saved = JSON.parse(localStorage.getItem(storageKey) ?? 'null');
      if (saved && saved.token && (!saved.expiresAt || Date.parse(saved.expiresAt) > Date.now())) {
        return saved;
      }
    }
    catch (ignored) {
      // Unreadable: treated as logged out.
    }
    return null;
  };
  return {
    current: read(),
    save(token, expiresAt) {
      this.current = { token, expiresAt, ...claims(token) };
      try {
        localStorage.setItem(storageKey, JSON.stringify(this.current));
      }
      catch (ignored) {
        // Kept in memory only.
      }
    },
    clear() {
      this.current = null;
      try {
        localStorage.removeItem(storageKey);
      }
      catch (ignored) {
        // Nothing stored.
      }
    },
    get token() {
      return this.current?.token ?? null;
    },
  };
}

/** The display claims of an access token (name, role); the server checks the signature. */
function claims(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(payload), (c) => c.charCodeAt(0));
    const json = JSON.parse(new TextDecoder().decode(bytes));
    return { username: json.name, role: json.role };
  }
  catch (ignored) {
    return {};
  }
}

/**
 * Log in (or register, then log in) from a form with #username and #password; calls
 * onLoggedIn(session) on success and shows errors in the form's [role=alert] element.
 */
export function loginForm(form, store, onLoggedIn) {
  const username = form.querySelector('[name=username]');
  const password = form.querySelector('[name=password]');
  const message = form.querySelector('.form-message');
  const show = (text, kind) => {
    message.textContent = text;
    message.className = `form-message ${kind ?? ''}`;
  };
  const logIn = async () => {
    const reply = await api('POST', '/api/v1/sessions', {
      body: { username: username.value.trim(), password: password.value },
    });
    if (!reply.ok) {
      show(i18n.error(reply.body), 'error');
      return false;
    }
    store.save(reply.body.token, reply.body.expiresAt);
    return true;
  };
  // The picture challenge sign-ups answer while a sale asks for one (CHALLENGE_REQUIRED).
  const signup = {
    box: el('div', { class: 'challenge signup-challenge', hidden: true },
      el('p', { class: 'challenge-heading', 'data-i18n': 'signup.heading', text: i18n.t('signup.heading') }),
      el('img', { class: 'challenge-image', alt: i18n.t('challenge.image'), 'data-i18n-label': 'challenge.image' })),
    answer: el('input', { name: 'challengeAnswer', inputmode: 'numeric', autocomplete: 'off', maxlength: '8' }),
    id: null,
  };
  signup.box.append(el('label', { class: 'field' },
    el('span', { 'data-i18n': 'challenge.answer', text: i18n.t('challenge.answer') }), signup.answer));
  form.querySelector('.actions').before(signup.box);
  const openChallenge = async (noteKey) => {
    const reply = await api('POST', '/api/v1/users/challenges');
    if (!reply.ok) {
      show(i18n.error(reply.body), 'error');
      return;
    }
    signup.id = reply.body.challengeId;
    signup.box.querySelector('img').src = reply.body.image;
    signup.answer.value = '';
    signup.box.hidden = false;
    show(i18n.t(noteKey), 'error');
    signup.answer.focus();
  };
  const closeChallenge = () => {
    signup.id = null;
    signup.box.hidden = true;
  };
  const submit = async (register) => {
    if (!username.value.trim() || !password.value) {
      show(i18n.t('login.required'), 'error');
      (username.value.trim() ? password : username).focus();
      return;
    }
    if (register && signup.id && !signup.answer.value.trim()) {
      show(i18n.t('signup.empty'), 'error');
      signup.answer.focus();
      return;
    }
    show('', '');
    form.setAttribute('aria-busy', 'true');
    try {
      if (register) {
        const body = { username: username.value.trim(), password: password.value };
        if (signup.id) {
          Object.assign(body, { challengeId: signup.id, answer: signup.answer.value.trim() });
        }
        const created = await api('POST', '/api/v1/users', { body });
        const code = created.body?.code;
        if (!created.ok && (code === 'CHALLENGE_REQUIRED' || code === 'CHALLENGE_FAILED')) {
          // A challenge is answered once, right or wrong: a new one either way.
          await openChallenge(code === 'CHALLENGE_FAILED' ? 'signup.wrong' : 'signup.needed');
          return;
        }
        if (!created.ok) {
          show(i18n.error(created.body), 'error');
          return;
        }
        closeChallenge();
      }
      if (await logIn()) {
        password.value = '';
        const note = register ? i18n.t('login.registered', { name: store.current.username }) : '';
        await onLoggedIn(note);
      }
    }
    finally {
      form.removeAttribute('aria-busy');
    }
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    // Enter in the sign-up challenge's answer registers (the form's default button logs in).
    submit(event.submitter?.value === 'register' || document.activeElement === signup.answer);
  });
  return { show };
}

/** Creates an element: el('p', {class: 'x', text: 'hi'}, child, ...). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (name === 'text') {
      node.textContent = value;
    }
    else if (name === 'dataset') {
      Object.assign(node.dataset, value);
    }
    else if (name.startsWith('on')) {
      node.addEventListener(name.slice(2), value);
    }
    else {
      node.setAttribute(name, value === true ? '' : value);
    }
  }
  children.flat().forEach((child) => child != null && node.append(child));
  return node;
}
