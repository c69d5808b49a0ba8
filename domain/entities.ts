import { RefreshToken } from './accounts/refresh-token.entity.ts';
import { User } from './accounts/user.entity.ts';
import { Auction } from './auctions/auction.entity.ts';
import { Category } from './listings/category.entity.ts';
import { ListingLike } from './listings/listing-like.entity.ts';
import { Listing } from './listings/listing.entity.ts';
import { Trade } from './trades/trade.entity.ts';

/** Every entity the ORM knows; listed explicitly so no folder scanning happens at start-up. */
export const entities = [User, RefreshToken, Category, Listing, ListingLike, Trade, Auction];
