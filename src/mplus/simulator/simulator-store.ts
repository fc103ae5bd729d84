import { randomBytes } from 'node:crypto';
import { toMplusDate, toMplusDateTime } from '../mplus-time.js';
import type { OperationName } from '../soap/mplus-codec.js';
import type {
  MplusArticle,
  MplusEmployee,
  MplusLine,
  MplusOrder,
  MplusPayment,
  MplusProduct,
  MplusRelation,
} from '../soap/mplus.types.js';
import {
  SEED_DELIVERY_METHODS,
  SEED_EMPLOYEES,
  SEED_ORDER_CATEGORIES,
  SEED_PAYMENT_METHODS,
  SEED_PRODUCTS,
  SEED_RELATIONS,
  SEED_VAT_GROUPS,
} from './simulator-seed.js';

// A simulated MplusKASSA administration: its orders, relations and sync markers in memory, and
// what each operation does to them. Where the reference marks behaviour as inferred [I] or
// unknown [U], the choice made here is written next to it; in short:
//   - createOrder refuses an unknown article, relation or employee with RESULT-FAILED [I];
//   - updateOrder replaces the lines; identical content answers NO-CHANGES; a versionNumber or
//     changeCounter that is not the current one answers ORDER-HAS-CHANGED; a cancelled or
//     invoiced order cannot change (FAILED) [I];
//   - payOrder prepay=true adds a deposit; prepay=false needs payments covering what is still
//     open (else PAYMENT-INSUFFICIENT), delivers when not delivered yet, invoices and completes
//     the order; paying an invoiced order is ORDER-ALREADY-INVOICED; a cancelled one FAILED [I];
//   - a negative payment (paying back) is taken only as a prepayment, on a method with
//     allowNegativeAmount, never below what was paid, also on a cancelled order [I];
//   - a line's discountAmount comes off the line as a whole (quantity × price − discountAmount),
//     between 0 and the line's amount; discountPercentage likewise of quantity × price [D][I];
//   - an order's vatGroupList has, per VAT code, the VAT of what its lines at that code cost with
//     VAT, rounded half away from zero once per code; totalExclAmount is their sum [I];
//   - creditInvoice credits an invoice whole, once: the credit invoice joins the order's
//     invoiceIds (a second credit is FAILED) [I];
//   - deliverOrder delivers every line once (then ALREADY-DELIVERED); not a cancelled order [I];
//   - cancelOrder cancels every line once (then ALREADY-CANCELLED); not an invoiced order [I];
//   - every change takes the next value of the order (or relation) sync marker and bumps the
//     order's versionNumber and changeCounter [W][I];
//   - getOrders returns orders from syncMarker on, ascending, at most syncMarkerLimit; without
//     marker or dates it returns all [U]; table and cafeteria orders only on request [W];
//   - findRelationV2 matches the given fields case-insensitively, in full with exactMatch and
//     as a part otherwise; the lowest relation number wins; findRelation (version 1) searches
//     as findRelationV2 without exactMatch [I];
//   - empty text elements are written with a start and an end tag, never self-closed [W][C];
//   - updateRelation changes the fields given and keeps the others [U];
//   - VAT percentages are whole percents (21, not 2100) [U].

export class SimulatorRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulatorRequestError';
  }
}

interface Markers {
  order: number;
  relation: number;
  article: number;
  employee: number;
  invoice: number;
  packingSlip: number;
}

export interface SimulatorState {
  orders: MplusOrder[];
  relations: MplusRelation[];
  markers: Markers;
  orderNumber: number;
  nextRelationNumber: number;
  /** The catalogue, when it differs from the seed's (articles put through the control API). */
  products?: MplusProduct[];
}

/** What changed since the last `takeChanges`: the orders and relations as they are now, and the counters. */
export type SimulatorChanges = SimulatorState;

type Body = Record<string, unknown>;

/** One order-changing call as the simulator took it: what fault tests check order and count by. */
export interface JournalEntry {
  operation: OperationName;
  order_id: string;
  ext_order_id: string | null;
  result: string;
  prepay?: boolean;
}

const ORDER_WRITES = new Set<OperationName>([
  'createOrder',
  'updateOrder',
  'cancelOrder',
  'payOrder',
  'deliverOrder',
  'creditInvoice',
]);

const RELATION_SEARCH_FIELDS: Array<keyof MplusRelation> = [
  'extRelationId',
  'name',
  'address',
  'zipcode',
  'city',
  'country',
  'deliveryAddress',
  'deliveryZipcode',
  'deliveryCity',
  'deliveryCountry',
  'contact',
  'telephone',
  'mobile',
  'email',
];

const DEFAULT_ORDER_TYPES = [
  'ORDER-TYPE-SALES-ORDER',
  'ORDER-TYPE-REPEAT-SALES-ORDER',
  'ORDER-TYPE-EXTERNAL-SALES-ORDER',
];

const newId = (): string => randomBytes(16).toString('hex');
const copy = <T>(value: T): T => structuredClone(value);

export class SimulatorStore {
  private orders = new Map<string, MplusOrder>();
  /** extOrderId → orderId: findOrder and createOrder's uniqueness check without a scan. */
  private readonly byExtOrderId = new Map<string, string>();
  /**
   * syncMarker → orderId, for each order's current marker: getOrders from a marker reads the
   * markers since it, not every order (a reader that keeps up asks for a few of a hundred thousand).
   */
  private readonly bySyncMarker = new Map<number, string>();
  private relations = new Map<number, MplusRelation>();
  private markers: Markers = { order: 0, relation: 0, article: 0, employee: 0, invoice: 0, packingSlip: 0 };
  private orderNumber = 0;
  private nextRelationNumber = 1;
  private products: MplusProduct[] = copy(SEED_PRODUCTS);
  /** Whether an article was put since the last takeChanges. */
  private productsChanged = false;
  private readonly employees: MplusEmployee[] = copy(SEED_EMPLOYEES);
  /** What changed since the last takeChanges (what a journal appends). */
  private readonly changedOrders = new Set<string>();
  private readonly changedRelations = new Set<number>();

  constructor(state?: SimulatorState) {
    if (state) this.restore(state);
    else this.reset();
  }

  reset(): void {
    this.journal.length = 0;
    this.changedOrders.clear();
    this.changedRelations.clear();
    this.orders.clear();
    this.byExtOrderId.clear();
    this.bySyncMarker.clear();
    this.relations.clear();
    this.markers = { order: 0, relation: 0, article: 0, employee: 0, invoice: 0, packingSlip: 0 };
    this.orderNumber = 0;
    this.products = copy(SEED_PRODUCTS);
    for (const product of this.products) {
      product.syncMarker = ++this.markers.article;
      for (const one of product.articleList ?? []) one.syncMarker = product.syncMarker;
    }
    for (const employee of this.employees) employee.syncMarker = ++this.markers.employee;
    for (const relation of copy(SEED_RELATIONS)) {
      this.relations.set(relation.relationNumber!, { ...relation, syncMarker: ++this.markers.relation });
    }
    this.nextRelationNumber = Math.max(...this.relations.keys()) + 1;
  }

  snapshot(): SimulatorState {
    return copy({
      orders: [...this.orders.values()],
      relations: [...this.relations.values()],
      markers: this.markers,
      orderNumber: this.orderNumber,
      nextRelationNumber: this.nextRelationNumber,
      products: this.products,
    });
  }

  restore(state: SimulatorState): void {
    this.reset();
    for (const order of copy(state.orders)) this.putOrder(order);
    this.relations = new Map(copy(state.relations).map((relation) => [relation.relationNumber!, relation]));
    this.markers = copy(state.markers);
    this.orderNumber = state.orderNumber;
    this.nextRelationNumber = state.nextRelationNumber;
    if (state.products) this.products = copy(state.products);
  }

  /** The orders and relations changed since the last call (and the counters), or null when none did. */
  takeChanges(): SimulatorChanges | null {
    if (this.changedOrders.size === 0 && this.changedRelations.size === 0 && !this.productsChanged) return null;
    const changes: SimulatorChanges = copy({
      orders: [...this.changedOrders].map((id) => this.orders.get(id)!),
      relations: [...this.changedRelations].map((number) => this.relations.get(number)!),
      markers: this.markers,
      orderNumber: this.orderNumber,
      nextRelationNumber: this.nextRelationNumber,
    });
    if (this.productsChanged) changes.products = copy(this.products);
    this.productsChanged = false;
    this.changedOrders.clear();
    this.changedRelations.clear();
    return changes;
  }

  /** Changes as takeChanges gave them, applied again (a journal read back). */
  apply(changes: SimulatorChanges): void {
    for (const order of copy(changes.orders)) this.putOrder(order);
    for (const relation of copy(changes.relations)) this.relations.set(relation.relationNumber!, relation);
    this.markers = copy(changes.markers);
    this.orderNumber = changes.orderNumber;
    this.nextRelationNumber = changes.nextRelationNumber;
    if (changes.products) this.products = copy(changes.products);
  }

  /**
   * Adds an article to the catalogue or changes one, as the back office's own screens would: its
   * product (given, or the one it is in, or a new one) gets the next article sync marker.
   */
  putArticle(
    articleNumber: number,
    input: { description?: string; active?: boolean; vatCode?: number; priceIncl?: number; productNumber?: number },
  ): MplusArticle {
    let product = this.products.find((one) =>
      one.articleList?.some((article) => article.articleNumber === articleNumber),
    );
    let article = product?.articleList?.find((one) => one.articleNumber === articleNumber);
    if (!product) {
      const productNumber = input.productNumber ?? articleNumber;
      product = this.products.find((one) => one.productNumber === productNumber);
      if (!product) {
        product = { productNumber, description: input.description ?? `Product ${productNumber}`, articleList: [] };
        this.products.push(product);
      }
    }
    if (!article) {
      article = { articleNumber, active: true, description: `Article ${articleNumber}`, vatCode: 2, priceIncl: 0 };
      (product.articleList ??= []).push(article);
    }
    if (input.description !== undefined) article.description = input.description;
    if (input.active !== undefined) article.active = input.active;
    if (input.vatCode !== undefined) article.vatCode = input.vatCode;
    if (input.priceIncl !== undefined) article.priceIncl = input.priceIncl;
    const group = SEED_VAT_GROUPS.find((one) => one.vatCode === article.vatCode);
    if (group) {
      article.vatPercentage = group.vatPercentage;
      article.priceExcl = Math.round(((article.priceIncl ?? 0) * 100) / (100 + group.vatPercentage));
    }
    product.syncMarker = ++this.markers.article;
    for (const one of product.articleList ?? []) one.syncMarker = product.syncMarker;
    this.productsChanged = true;
    return copy(article);
  }

  order(orderId: string): MplusOrder | undefined {
    const order = this.orders.get(orderId);
    return order && copy(order);
  }

  allOrders(): MplusOrder[] {
    return [...this.orders.values()].map(copy);
  }

  allRelations(): MplusRelation[] {
    return [...this.relations.values()].map(copy);
  }

  /** Every order-changing call, in the order taken (not persisted: it starts empty on each start). */
  readonly journal: JournalEntry[] = [];

  handle(operation: OperationName, body: Body): Body {
    const answer = this.dispatch(operation, body);
    if (ORDER_WRITES.has(operation)) this.record(operation, body, answer);
    return answer;
  }

  private record(operation: OperationName, body: Body, answer: Body): void {
    const request = (body.request ?? body.order ?? {}) as Body;
    const info = (answer.info ?? {}) as Body;
    const orderId =
      [info.orderId, request.orderId, body.orderId].find((id): id is string => typeof id === 'string' && id !== '') ??
      '';
    this.journal.push({
      operation,
      order_id: orderId,
      ext_order_id: this.orders.get(orderId)?.extOrderId ?? (request.extOrderId as string | undefined) ?? null,
      result: String(answer.result),
      ...(operation === 'payOrder' ? { prepay: Boolean(request.prepay) } : {}),
    });
  }

  private dispatch(operation: OperationName, body: Body): Body {
    switch (operation) {
      case 'findOrder':
        return this.orderAnswer(this.orderByExtOrderId(body.extOrderId as string | undefined));
      case 'getOrder':
        return this.orderAnswer(this.orders.get(String(body.orderId)));
      case 'createOrder':
        return this.createOrder(body.order as MplusOrder | undefined);
      case 'updateOrder':
        return this.updateOrder(body.order as MplusOrder | undefined);
      case 'cancelOrder':
        return this.cancelOrder(String(body.orderId));
      case 'payOrder':
        return this.payOrder(body.request as { orderId: string; prepay: boolean; paymentList?: MplusPayment[] });
      case 'deliverOrder':
        return this.deliverOrder(String((body.request as { orderId: string }).orderId));
      case 'creditInvoice':
        return this.creditInvoice(String(body.invoiceId));
      case 'getOrders':
        return { orderList: this.getOrders((body.request ?? {}) as Body) };
      case 'getDeliveryMethods':
        return { deliveryMethodList: copy(SEED_DELIVERY_METHODS) };
      case 'getOrderCategories':
        return { orderCategory: copy(SEED_ORDER_CATEGORIES) };
      case 'getPaymentMethods':
        return { paymentMethodList: copy(SEED_PAYMENT_METHODS) };
      case 'getVatGroupList':
        return { vatGroup: copy(SEED_VAT_GROUPS) };
      case 'getApiVersion':
        return { majorNumber: 67, minorNumber: 1, revisionNumber: 3, inDebugMode: false };
      case 'getEmployees':
        return { employeeList: this.getEmployees((body.request ?? {}) as Body) };
      case 'getProducts':
        return { productList: this.getProducts((body.request ?? {}) as Body) };
      // Version 1, which MplusKASSA's own client helpers still call: a search on the given fields.
      case 'findRelation':
        return this.findRelation({ relation: body.relation as MplusRelation | undefined, exactMatch: false });
      case 'findRelationV2':
        return this.findRelation(body.request as { relation?: MplusRelation; exactMatch?: boolean });
      case 'createRelation':
        return this.createRelation(body.relation as MplusRelation | undefined);
      case 'updateRelation':
        return this.updateRelation(body.relation as MplusRelation | undefined);
      case 'getRelation': {
        const relation = this.relations.get(Number(body.relationNumber));
        return relation
          ? { result: 'GET-RELATION-RESULT-OK', relation: copy(relation) }
          : { result: 'GET-RELATION-RESULT-NOT-FOUND', relation: {} };
      }
    }
  }

  // Orders rung up at the till: for the tests and demos of the inbound sync.

  createPosOrder(input: {
    lines: Array<{ articleNumber: number; quantity: number; decimalPlaces?: number; price?: number }>;
    relationNumber?: number;
    paymentMethod?: string;
    paid?: boolean;
    delivered?: boolean;
  }): MplusOrder {
    const created = this.createOrder({
      orderId: '',
      orderType: 'ORDER-TYPE-SALES-ORDER',
      employeeNumber: 1,
      entryBranchNumber: 1,
      financialBranchNumber: 1,
      relationNumber: input.relationNumber,
      lineList: input.lines.map((line) => ({
        articleNumber: line.articleNumber,
        data: { quantity: line.quantity, decimalPlaces: line.decimalPlaces ?? 0, price: line.price },
      })),
    });
    if (created.result !== 'CREATE-ORDER-RESULT-OK') throw new SimulatorRequestError(String(created.errorMessage));
    const orderId = (created.info as { orderId: string }).orderId;
    if (input.delivered) this.deliverOrder(orderId);
    if (input.paid) this.payAtTill(orderId, input.paymentMethod ?? 'PIN');
    return this.order(orderId)!;
  }

  payAtTill(orderId: string, method = 'PIN', amount?: number): Body {
    const order = this.orders.get(orderId);
    if (!order) return { result: 'PAY-ORDER-RESULT-FAILED', errorMessage: `Order ${orderId} not found.` };
    const open = (order.totalInclAmount ?? 0) - paidSoFar(order);
    return this.payOrder({ orderId, prepay: false, paymentList: [{ method, amount: amount ?? open }] });
  }

  // -------------------------------------------------------------------------------------------

  private orderAnswer(order: MplusOrder | undefined): Body {
    return order ? { result: 'GET-ORDER-RESULT-OK', order: copy(order) } : { result: 'GET-ORDER-RESULT-NOT-FOUND' };
  }

  private articleNumbers(): Set<number> {
    return new Set(this.products.flatMap((product) => (product.articleList ?? []).map((one) => one.articleNumber!)));
  }

  private article(articleNumber: number) {
    for (const product of this.products) {
      const found = product.articleList?.find((one) => one.articleNumber === articleNumber);
      if (found) return found;
    }
    return undefined;
  }

  /** Checks and completes the lines; a problem is returned as the errorMessage of a FAILED result. */
  private prepareLines(lines: MplusLine[] | undefined): MplusLine[] | string {
    const known = this.articleNumbers();
    const prepared: MplusLine[] = [];
    for (const line of lines ?? []) {
      if (line.articleNumber === undefined) throw new SimulatorRequestError('Line without articleNumber.');
      if (!known.has(line.articleNumber)) return `Article ${line.articleNumber} not found.`;
      const article = this.article(line.articleNumber)!;
      const data = { ...(line.data ?? { quantity: 1 }) };
      if (data.quantity === undefined) throw new SimulatorRequestError('Line data without quantity.');
      data.decimalPlaces ??= 0;
      data.price ??= article.priceIncl ?? 0;
      data.vatCode ??= article.vatCode;
      data.vatPercentage = SEED_VAT_GROUPS.find((group) => group.vatCode === data.vatCode)?.vatPercentage;
      if (data.vatPercentage === undefined) return `VAT code ${data.vatCode} does not exist.`;
      const gross = Math.round((data.quantity * data.price) / 10 ** data.decimalPlaces);
      const discount = data.discountAmount ?? Math.round((gross * (data.discountPercentage ?? 0)) / 100);
      if (discount < 0 || (gross >= 0 && discount > gross)) {
        return `Discount ${discount} on article ${line.articleNumber} is not between 0 and the line's ${gross}.`;
      }
      if (discount !== 0) data.discountType ??= 'DISCOUNT-TYPE-EXTERNAL-DISCOUNT';
      data.totalInclAmount = gross - discount;
      data.totalExclAmount = Math.round((data.totalInclAmount * 100) / (100 + data.vatPercentage));
      prepared.push({ ...line, lineId: newId(), text: line.text ?? article.description, data });
    }
    return prepared;
  }

  /**
   * The order's totals and VAT groups. VAT is computed once per VAT code from what the lines at
   * that code cost with VAT, rounded half away from zero (the simulator's reading of an inclusive
   * order; see the README's "Money"); the lines' own excl. amounts are rounded each on its own.
   */
  private totals(order: MplusOrder): void {
    const lines = order.lineList ?? [];
    order.totalInclAmount = lines.reduce((sum, line) => sum + (line.data?.totalInclAmount ?? 0), 0);
    const byCode = new Map<number, { vatPercentage: number; incl: number }>();
    for (const line of lines) {
      const code = line.data?.vatCode;
      if (code === undefined) continue;
      const group = byCode.get(code) ?? { vatPercentage: line.data!.vatPercentage ?? 0, incl: 0 };
      group.incl += line.data!.totalInclAmount ?? 0;
      byCode.set(code, group);
    }
    order.vatGroupList = [...byCode.entries()]
      .sort(([a], [b]) => a - b)
      .map(([vatCode, { vatPercentage, incl }]) => {
        const vatAmount = Math.sign(incl) * Math.round((Math.abs(incl) * vatPercentage) / (100 + vatPercentage));
        return { vatCode, vatPercentage, exclAmount: incl - vatAmount, vatAmount };
      });
    order.totalExclAmount = order.vatGroupList.reduce((sum, group) => sum + group.exclAmount!, 0);
    order.fullyPaid = order.totalInclAmount > 0 ? paidSoFar(order) >= order.totalInclAmount : order.fullyPaid;
  }

  private putOrder(order: MplusOrder): void {
    const previous = this.orders.get(order.orderId);
    if (previous?.syncMarker !== undefined) this.bySyncMarker.delete(previous.syncMarker);
    this.orders.set(order.orderId, order);
    if (order.extOrderId) this.byExtOrderId.set(order.extOrderId, order.orderId);
    if (order.syncMarker !== undefined) this.bySyncMarker.set(order.syncMarker, order.orderId);
  }

  private orderByExtOrderId(extOrderId: string | undefined): MplusOrder | undefined {
    const orderId = extOrderId ? this.byExtOrderId.get(extOrderId) : undefined;
    return orderId === undefined ? undefined : this.orders.get(orderId);
  }

  private touch(order: MplusOrder): void {
    this.changedOrders.add(order.orderId);
    if (order.syncMarker !== undefined) this.bySyncMarker.delete(order.syncMarker);
    order.syncMarker = ++this.markers.order;
    if (this.orders.get(order.orderId) === order) this.bySyncMarker.set(order.syncMarker, order.orderId);
    order.versionNumber = (order.versionNumber ?? 0) + 1;
    order.changeCounter = (order.changeCounter ?? 0) + 1;
  }

  private createOrder(input: MplusOrder | undefined): Body {
    const fail = (message: string) => ({
      result: 'CREATE-ORDER-RESULT-FAILED',
      info: { orderId: '', orderString: '' },
      errorMessage: message,
    });
    if (!input) return fail('No order given.');
    if (input.extOrderId && this.orderByExtOrderId(input.extOrderId)) {
      return {
        result: 'CREATE-ORDER-RESULT-EXT-ORDER-ID-ALREADY-EXISTS',
        info: { orderId: '', orderString: '' },
        errorMessage: `An order with extOrderId ${input.extOrderId} already exists.`,
      };
    }
    if (input.relationNumber && !this.relations.has(input.relationNumber)) {
      return fail(`Relation ${input.relationNumber} not found.`);
    }
    if (input.employeeNumber && !this.employees.some((one) => one.employeeNumber === input.employeeNumber)) {
      return fail(`Employee ${input.employeeNumber} not found.`);
    }
    const lines = this.prepareLines(input.lineList);
    if (typeof lines === 'string') return fail(lines);
    const now = new Date();
    const order: MplusOrder = {
      ...copy(input),
      orderId: newId(),
      orderType: input.orderType ?? 'ORDER-TYPE-SALES-ORDER',
      relationName: input.relationNumber ? this.relations.get(input.relationNumber)?.name : undefined,
      entryTimestamp: input.entryTimestamp ?? toMplusDateTime(now),
      financialDate: input.financialDate ?? toMplusDate(now),
      vatMethod: input.vatMethod ?? 'VAT-METHOD-INCLUSIVE',
      lineList: lines,
      paymentList: [],
      invoiceIds: [],
      packingSlipIds: [],
      prepaidAmount: 0,
      fullyPaid: false,
      deliveryState: 'ORDER-DELIVERY-STATE-NOTHING',
      cancelState: 'ORDER-CANCEL-STATE-NOTHING',
      completeState: 'ORDER-COMPLETE-STATE-NOTHING',
      orderNumber: { year: now.getUTCFullYear(), number: ++this.orderNumber },
      versionNumber: 0,
      changeCounter: 0,
    };
    this.totals(order);
    this.touch(order);
    this.putOrder(order);
    return {
      result: 'CREATE-ORDER-RESULT-OK',
      info: {
        orderId: order.orderId,
        orderString: `${order.orderNumber!.year}-${order.orderNumber!.number}`,
        orderQueued: false,
      },
      errorMessage: '',
    };
  }

  private updateOrder(input: MplusOrder | undefined): Body {
    const answer = (result: string, errorMessage = '', orderId = '') => ({
      result: `UPDATE-ORDER-RESULT-${result}`,
      info: { orderId, orderString: '' },
      errorMessage,
    });
    if (!input?.orderId) throw new SimulatorRequestError('updateOrder needs the order with its orderId.');
    const order = this.orders.get(input.orderId);
    if (!order) return answer('NOT-FOUND', `Order ${input.orderId} not found.`);
    if (
      (input.versionNumber !== undefined && input.versionNumber !== order.versionNumber) ||
      (input.changeCounter !== undefined && input.changeCounter !== order.changeCounter)
    ) {
      return answer('ORDER-HAS-CHANGED', 'The order was changed by someone else.', order.orderId);
    }
    if (order.cancelState === 'ORDER-CANCEL-STATE-COMPLETE') {
      return answer('FAILED', 'A cancelled order cannot change.', order.orderId);
    }
    if ((order.invoiceIds ?? []).length > 0) return answer('FAILED', 'An invoiced order cannot change.', order.orderId);
    const lines = this.prepareLines(input.lineList);
    if (typeof lines === 'string') return answer('FAILED', lines, order.orderId);
    const changeable = [
      'relationNumber',
      'deliveryAddress',
      'invoiceAddress',
      'reference',
      'deliveryMethod',
      'orderCategoryNumber',
    ] as const;
    const before = JSON.stringify([changeable.map((key) => order[key]), comparableLines(order.lineList)]);
    const after = JSON.stringify([changeable.map((key) => input[key] ?? order[key]), comparableLines(lines)]);
    if (before === after) return answer('NO-CHANGES', '', order.orderId);
    for (const key of changeable) if (input[key] !== undefined) Object.assign(order, { [key]: copy(input[key]) });
    order.lineList = lines;
    this.totals(order);
    this.touch(order);
    return answer('OK', '', order.orderId);
  }

  private cancelOrder(orderId: string): Body {
    const order = this.orders.get(orderId);
    if (!order) return { result: 'CANCEL-ORDER-RESULT-NOT-FOUND', message: `Order ${orderId} not found.` };
    if (order.cancelState === 'ORDER-CANCEL-STATE-COMPLETE') {
      return { result: 'CANCEL-ORDER-RESULT-ALREADY-CANCELLED', message: '' };
    }
    if ((order.invoiceIds ?? []).length > 0) {
      return { result: 'CANCEL-ORDER-RESULT-FAILED', message: 'An invoiced order cannot be cancelled.' };
    }
    order.cancelState = 'ORDER-CANCEL-STATE-COMPLETE';
    for (const line of order.lineList ?? []) {
      line.data!.cancelledQuantity = line.data!.quantity;
      line.data!.cancelledDecimalPlaces = line.data!.decimalPlaces;
    }
    this.touch(order);
    return { result: 'CANCEL-ORDER-RESULT-OK', message: '' };
  }

  private deliverOrder(orderId: string): Body {
    const answer = (result: string, errorMessage = '', packingSlipId?: string) => ({
      result: `DELIVER-ORDER-RESULT-${result}`,
      ...(packingSlipId ? { packingSlipId } : {}),
      errorMessage,
    });
    const order = this.orders.get(orderId);
    if (!order) return answer('FAILED', `Order ${orderId} not found.`);
    if (order.deliveryState === 'ORDER-DELIVERY-STATE-COMPLETE') return answer('ALREADY-DELIVERED');
    if (order.cancelState === 'ORDER-CANCEL-STATE-COMPLETE') {
      return answer('FAILED', 'A cancelled order cannot be delivered.');
    }
    const packingSlipId = this.deliver(order);
    this.touch(order);
    return answer('OK', '', packingSlipId);
  }

  private deliver(order: MplusOrder): string {
    order.deliveryState = 'ORDER-DELIVERY-STATE-COMPLETE';
    for (const line of order.lineList ?? []) {
      line.data!.deliveredQuantity = line.data!.quantity;
      line.data!.deliveredDecimalPlaces = line.data!.decimalPlaces;
    }
    const packingSlipId = newId();
    order.packingSlipIds = [...(order.packingSlipIds ?? []), packingSlipId];
    this.markers.packingSlip += 1;
    return packingSlipId;
  }

  private payOrder(request: { orderId: string; prepay: boolean; paymentList?: MplusPayment[] } | undefined): Body {
    const answer = (result: string, errorMessage = '', invoiceId?: string) => ({
      result: `PAY-ORDER-RESULT-${result}`,
      ...(invoiceId ? { invoiceId } : {}),
      errorMessage,
    });
    if (!request?.orderId) throw new SimulatorRequestError('payOrder needs a request with an orderId.');
    const order = this.orders.get(request.orderId);
    if (!order) return answer('FAILED', `Order ${request.orderId} not found.`);
    if ((order.invoiceIds ?? []).length > 0) return answer('ORDER-ALREADY-INVOICED', 'The order is invoiced already.');
    const payments = request.paymentList ?? [];
    if (payments.length === 0) return answer('FAILED', 'No payments given.');
    const unknown = payments.find(
      (payment) => !SEED_PAYMENT_METHODS.some((method) => method.method === payment.method),
    );
    if (unknown) return answer('FAILED', `Payment method ${unknown.method} does not exist.`);
    const amount = payments.reduce((sum, payment) => sum + payment.amount, 0);
    // Paying back (negative amounts, a refund of a deposit) is allowed on methods that allow it,
    // also on a cancelled order, and never below what was paid; paying is not, once cancelled.
    const negative = payments.find((payment) => payment.amount < 0);
    if (negative) {
      const method = SEED_PAYMENT_METHODS.find((one) => one.method === negative.method)!;
      if (!method.allowNegativeAmount) {
        return answer('FAILED', `Payment method ${negative.method} does not allow negative amounts.`);
      }
      if (!request.prepay) return answer('FAILED', 'Negative amounts are only taken as prepayments.');
      if (paidSoFar(order) + amount < 0) {
        return answer('FAILED', `${-amount} cents paid back, only ${paidSoFar(order)} cents paid.`);
      }
    } else if (order.cancelState === 'ORDER-CANCEL-STATE-COMPLETE') {
      return answer('FAILED', 'A cancelled order cannot be paid.');
    }
    const now = new Date();
    const recorded = payments.map((payment) => ({
      ...payment,
      paymentId: newId(),
      financialDate: toMplusDate(now),
      entryTimestamp: toMplusDateTime(now),
    }));
    if (request.prepay) {
      order.paymentList = [...(order.paymentList ?? []), ...recorded];
      order.prepaidAmount = (order.prepaidAmount ?? 0) + amount;
      this.totals(order);
      this.touch(order);
      return answer('OK');
    }
    const open = (order.totalInclAmount ?? 0) - paidSoFar(order);
    if (amount < open) return answer('PAYMENT-INSUFFICIENT', `${amount} cents paid, ${open} cents open.`);
    order.paymentList = [...(order.paymentList ?? []), ...recorded];
    if (order.deliveryState !== 'ORDER-DELIVERY-STATE-COMPLETE') this.deliver(order);
    const invoiceId = newId();
    this.markers.invoice += 1;
    order.invoiceIds = [...(order.invoiceIds ?? []), invoiceId];
    order.fullyPaid = true;
    order.completeState = 'ORDER-COMPLETE-STATE-COMPLETE';
    this.touch(order);
    return answer('OK', '', invoiceId);
  }

  /** Credits an invoice whole, once: the credit invoice joins the order's invoiceIds. */
  private creditInvoice(invoiceId: string): Body {
    const answer = (result: string, message = '') => ({ result: `CREDIT-INVOICE-RESULT-${result}`, message });
    // An order has one invoice (its final payment's); a second id is that invoice's credit.
    const order = [...this.orders.values()].find((one) => (one.invoiceIds ?? [])[0] === invoiceId);
    if (!order) return answer('NOT-FOUND', `Invoice ${invoiceId} not found.`);
    if (order.invoiceIds!.length > 1) return answer('FAILED', `Invoice ${invoiceId} is credited already.`);
    this.markers.invoice += 1;
    order.invoiceIds = [...order.invoiceIds!, newId()];
    this.touch(order);
    return answer('OK');
  }

  private getOrders(request: Body): MplusOrder[] {
    const from = request.syncMarker as number | undefined;
    const limit = request.syncMarkerLimit as number | undefined;
    const types = (request.orderTypeList as string[] | undefined) ?? DEFAULT_ORDER_TYPES;
    const ids = request.orderIds as string[] | undefined;
    const dayNumber = (date: { year: number; mon: number; day: number } | undefined) =>
      date ? date.year * 10_000 + date.mon * 100 + date.day : undefined;
    const fromDay = dayNumber(request.fromFinancialDate as never);
    const throughDay = dayNumber(request.throughFinancialDate as never);
    let orders = this.ordersFromMarker(from, ids === undefined && fromDay === undefined && throughDay === undefined)
      .filter((order) => types.includes(order.orderType ?? 'ORDER-TYPE-SALES-ORDER'))
      .filter((order) => from === undefined || (order.syncMarker ?? 0) >= from)
      .filter((order) => !ids || ids.includes(order.orderId))
      .filter((order) => fromDay === undefined || dayNumber(order.financialDate)! >= fromDay)
      .filter((order) => throughDay === undefined || dayNumber(order.financialDate)! <= throughDay)
      .sort((a, b) => (a.syncMarker ?? 0) - (b.syncMarker ?? 0));
    if (limit && limit > 0) orders = orders.slice(0, limit);
    const withLines = request.includeLineList !== false;
    return orders.map((order) =>
      withLines ? copy(order) : { ...copy(order), lineList: undefined, invoiceIds: undefined },
    );
  }

  /**
   * The orders whose marker is `from` or later, in no particular order: through the marker index
   * when that reads fewer entries than a scan would (and nothing else filters by something else).
   */
  private ordersFromMarker(from: number | undefined, onlyMarker: boolean): MplusOrder[] {
    if (from === undefined || !onlyMarker || this.markers.order - from > this.orders.size) {
      return [...this.orders.values()];
    }
    const orders: MplusOrder[] = [];
    for (let marker = Math.max(from, 1); marker <= this.markers.order; marker += 1) {
      const orderId = this.bySyncMarker.get(marker);
      if (orderId !== undefined) orders.push(this.orders.get(orderId)!);
    }
    return orders;
  }

  private getEmployees(request: Body): MplusEmployee[] {
    const numbers = request.employeeNumbers as number[] | undefined;
    const from = request.syncMarker as number | undefined;
    return copy(
      this.employees
        .filter((one) => !numbers || numbers.includes(one.employeeNumber!))
        .filter((one) => from === undefined || (one.syncMarker ?? 0) >= from),
    );
  }

  private getProducts(request: Body): MplusProduct[] {
    const numbers = request.articleNumbers as number[] | undefined;
    const onlyActive = request.onlyActive === true;
    const from = request.syncMarker as number | undefined;
    const limit = request.syncMarkerLimit as number | undefined;
    const changed = this.products
      .filter((product) => from === undefined || (product.syncMarker ?? 0) >= from)
      .sort((a, b) => (a.syncMarker ?? 0) - (b.syncMarker ?? 0));
    // As for orders: syncMarkerLimit counts only with a syncMarker, and only when above 0.
    return copy(from !== undefined && limit !== undefined && limit > 0 ? changed.slice(0, limit) : changed)
      .map((product) => ({
        ...product,
        articleList: (product.articleList ?? [])
          .filter((one) => !numbers || numbers.includes(one.articleNumber!))
          .filter((one) => !onlyActive || one.active),
      }))
      .filter((product) => !numbers || (product.articleList ?? []).length > 0);
  }

  private findRelation(request: { relation?: MplusRelation; exactMatch?: boolean } | undefined): Body {
    const given = request?.relation ?? {};
    const terms = RELATION_SEARCH_FIELDS.filter((field) => typeof given[field] === 'string' && given[field] !== '');
    if (terms.length === 0) return { result: 'FIND-RELATION-RESULT-NOT-FOUND' };
    const matches = (relation: MplusRelation) =>
      terms.every((field) => {
        const stored = relation[field];
        const value = typeof stored === 'string' ? stored.toLowerCase() : '';
        const term = (given[field] as string).toLowerCase();
        return request?.exactMatch ? value === term : value.includes(term);
      });
    let found: MplusRelation | undefined;
    for (const relation of this.relations.values()) {
      if (matches(relation) && (!found || relation.relationNumber! < found.relationNumber!)) found = relation;
    }
    return found
      ? { result: 'FIND-RELATION-RESULT-OK', relation: copy(found) }
      : { result: 'FIND-RELATION-RESULT-NOT-FOUND' };
  }

  private createRelation(input: MplusRelation | undefined): Body {
    if (!input) {
      return { result: 'CREATE-RELATION-RESULT-FAILED', relationNumber: 0, errorMessage: 'No relation given.' };
    }
    if (input.relationNumber && this.relations.has(input.relationNumber)) {
      return {
        result: 'CREATE-RELATION-RESULT-FAILED-RELATION-NUMBER-ALREADY-TAKEN',
        relationNumber: input.relationNumber,
        errorMessage: `Relation number ${input.relationNumber} is taken.`,
      };
    }
    const relationNumber = input.relationNumber ?? this.nextRelationNumber;
    this.nextRelationNumber = Math.max(this.nextRelationNumber, relationNumber + 1);
    const relation = {
      ...copy(input),
      relationNumber,
      active: input.active ?? true,
      syncMarker: ++this.markers.relation,
    };
    this.relations.set(relationNumber, relation);
    this.changedRelations.add(relationNumber);
    return { result: 'CREATE-RELATION-RESULT-OK', relationNumber, syncMarker: relation.syncMarker, errorMessage: '' };
  }

  private updateRelation(input: MplusRelation | undefined): Body {
    const existing = input?.relationNumber !== undefined ? this.relations.get(input.relationNumber) : undefined;
    if (!existing) return { result: 'UPDATE-RELATION-RESULT-NOT-FOUND', errorMessage: 'Relation not found.' };
    Object.assign(existing, copy(input), { syncMarker: ++this.markers.relation });
    this.changedRelations.add(existing.relationNumber!);
    return { result: 'UPDATE-RELATION-RESULT-OK', errorMessage: '', syncMarker: existing.syncMarker };
  }
}

function paidSoFar(order: MplusOrder): number {
  return (order.paymentList ?? []).reduce((sum, payment) => sum + payment.amount, 0);
}

function comparableLines(lines: MplusLine[] | undefined): unknown {
  return (lines ?? []).map((line) => [
    line.articleNumber,
    line.text,
    line.data?.quantity,
    line.data?.decimalPlaces,
    line.data?.price,
    line.data?.vatCode,
    line.data?.discountAmount ?? 0,
    line.data?.discountPercentage ?? 0,
  ]);
}
