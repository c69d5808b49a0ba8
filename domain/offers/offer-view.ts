/** An offer as its two parties see it. */
export interface OfferView {
  offerId: string;
  kind: 'second_chance';
  listingId: string;
  auctionId: string | null;
  sellerId: string;
  buyerId: string;
  amount: number;
  status: 'pending' | 'accepted' | 'expired' | 'withdrawn';
  expiresAt: string;
  createdAt: string;
  tradeId: string | null;
}

export interface OfferRow {
  id: string;
  kind: 'second_chance';
  listing_id: string;
  auction_id: string | null;
  seller_id: string;
  buyer_id: string;
  amount: string;
  status: OfferView['status'];
  expires_at: string | Date;
  created_at: string | Date;
  trade_id: string | null;
}

export const toOfferView = (row: OfferRow): OfferView => ({
  offerId: row.id,
  kind: row.kind,
  listingId: row.listing_id,
  auctionId: row.auction_id,
  sellerId: row.seller_id,
  buyerId: row.buyer_id,
  amount: Number(row.amount),
  status: row.status,
  expiresAt: new Date(row.expires_at).toISOString(),
  createdAt: new Date(row.created_at).toISOString(),
  tradeId: row.trade_id,
});
