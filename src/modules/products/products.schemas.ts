import { z } from 'zod';
import { ImageSchema, PageQuerySchema, TimestampSchema, collectionOf } from '../../http/common.schemas.js';
import { PriceSchema } from '../articles/articles.schemas.js';

export const FeaturingArticleSchema = z
  .object({ id: z.number().int(), slug: z.string(), title: z.string(), publishedAt: TimestampSchema })
  .meta({ id: 'FeaturingArticle' });

export const ProductSchema = z
  .object({
    id: z.number().int(),
    slug: z.string(),
    name: z.string(),
    summary: z.string().nullable(),
    description: z.string().nullable().describe('Markdown'),
    url: z.string().nullable(),
    image: ImageSchema.nullable(),
    price: PriceSchema.nullable().describe('Null when the price is unknown'),
    badges: z.array(z.string()),
    suitableFor: z.array(z.string()),
    inStock: z.boolean(),
    articles: z.array(FeaturingArticleSchema).describe('Published articles featuring the product, newest first'),
  })
  .meta({ id: 'Product' });

export const ProductListQuerySchema = PageQuerySchema;
export const ProductListSchema = collectionOf(ProductSchema).meta({ id: 'ProductList' });

export type Product = z.infer<typeof ProductSchema>;
export type FeaturingArticle = z.infer<typeof FeaturingArticleSchema>;
